import { PROTOCOLS } from '../../lab/probes.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { blocked, ok } from '../framework/expectations.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells, type Cell, type ProbePeer } from '../framework/truth-table.ts';

/**
 * A none-mode sandbox talks to itself over loopback and to nothing else: not its host, not the
 * outside peer. A control row from the host to the outside peer shows those targets are alive.
 */
export default defineCheck({
  id: 'isolation/none',
  title: 'A none-mode sandbox reaches nothing but its own loopback',
  requires: { modes: ['none'] },
  async run(ctx) {
    const host = ctx.lab.hosts[0]!;
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'none' }],
      sandboxes: [{ name: 'n', network: 'none' }],
    });
    const n: ProbePeer = { name: 'n', source: { sandbox: scenario.sandbox('n') }, target: '127.0.0.1' };
    const targets: ProbePeer[] = [];
    if (host.descriptor.underlayAddress) targets.push({ name: 'host', target: host.descriptor.underlayAddress });
    if (ctx.lab.underlay) targets.push({ name: 'outside', target: ctx.lab.underlay.outside.address });
    const hostSource: ProbePeer = { name: 'host', source: { host } };
    const cells: Cell[] = [];
    for (const protocol of PROTOCOLS) {
      cells.push({ from: n, to: n, protocol, expected: ok });
      for (const t of targets) cells.push({ from: n, to: t, protocol, expected: blocked });
      if (ctx.lab.underlay)
        cells.push({ from: hostSource, to: targets.at(-1)!, protocol, expected: ok, control: true });
    }
    const table = await probeCells(ctx, cells);
    return verdict(
      table.mismatches.length === 0,
      {
        pass:
          'loopback works; host and outside peer unreachable from the sandbox (and reachable from the host: the ' +
          'control)',
        fail: describeMismatches(table),
      },
      { loopback: ok, host: blocked, outside: blocked, control: 'host→outside ok' },
      { table: table.rows },
    );
  },
});
