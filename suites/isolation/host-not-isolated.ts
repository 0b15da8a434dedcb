import { PROTOCOLS } from '../../lab/probes.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { ok } from '../framework/expectations.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells, type ProbePeer } from '../framework/truth-table.ts';

/**
 * Host mode is not isolated, by design: a server in the sandbox answers at the host's own address
 * (from the outside peer on the netns lab; over the host's loopback on the local lab).
 */
export default defineCheck({
  id: 'isolation/host-not-isolated',
  title: 'A host-mode sandbox is reachable at the host address (not isolated)',
  requires: { modes: ['host'] },
  async run(ctx) {
    const host = ctx.lab.hosts[0]!;
    await Scenario.build(ctx, { networks: [{ name: 'host' }], sandboxes: [{ name: 'hs', network: 'host' }] });
    const outside = ctx.lab.underlay?.outside;
    const from: ProbePeer = outside
      ? { name: 'outside', source: { netns: outside.netns, label: outside.netns } }
      : { name: 'host', source: { host } };
    const to: ProbePeer = { name: 'hs', target: host.descriptor.underlayAddress ?? '127.0.0.1' };
    const table = await probeCells(
      ctx,
      PROTOCOLS.map((protocol) => ({ from, to, protocol, expected: ok })),
    );
    return verdict(
      table.mismatches.length === 0,
      {
        pass: `not isolated: the sandbox's servers answer at the host address ${to.target}`,
        fail: describeMismatches(table),
      },
      { isolated: false, reachableAt: to.target },
      { isolated: table.mismatches.length === 0 ? false : 'unknown', table: table.rows },
    );
  },
});
