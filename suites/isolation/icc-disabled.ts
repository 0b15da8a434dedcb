import { PROTOCOLS } from '../../lab/probes.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { blocked, ok } from '../framework/expectations.ts';
import { outsidePeer, sandboxPeer } from '../framework/peers.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells, type Cell } from '../framework/truth-table.ts';

/**
 * With inter-container communication off, two sandboxes on one network cannot reach each other in
 * either direction, while each still reaches the outside where the profile says NAT. Each sandbox
 * probing its own address is the control (added by probeCells): its servers answer.
 */
export default defineCheck({
  id: 'isolation/icc-disabled',
  title: 'With ICC off, peers on one network cannot reach each other but still reach the outside',
  requires: { modes: ['bridge'], features: ['iccOff'] },
  async run(ctx) {
    const options = ctx.profile.iccOff!;
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'quiet', options }],
      sandboxes: [
        { name: 'q1', network: 'quiet' },
        { name: 'q2', network: 'quiet' },
      ],
    });
    const peers = ['q1', 'q2'].map((name) => sandboxPeer(name, scenario.sandbox(name)));
    const egress = ctx.profile.nat && ctx.lab.underlay !== undefined;
    const cells: Cell[] = [];
    for (const protocol of PROTOCOLS) {
      for (const [i, from] of peers.entries()) {
        cells.push({ from, to: peers[1 - i]!, protocol, expected: blocked });
        if (egress) cells.push({ from, to: outsidePeer(ctx), protocol, expected: ok });
      }
    }
    const table = await probeCells(ctx, cells);
    return verdict(
      table.mismatches.length === 0,
      {
        pass: `with ${JSON.stringify(options)}, q1 and q2 cannot reach each other${egress ? ', both reach out' : ''}`,
        fail: describeMismatches(table),
      },
      { options, peerToPeer: blocked, ...(egress ? { toOutside: ok } : {}), selfControls: ok },
      { addresses: { q1: scenario.addressOf('q1'), q2: scenario.addressOf('q2') }, table: table.rows },
    );
  },
});
