import { defineCheck, verdict } from '../framework/check.ts';
import { blocked, ok } from '../framework/expectations.ts';
import { outsidePeer, sandboxPeer } from '../framework/peers.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells, type Cell } from '../framework/truth-table.ts';

/** An internal network has no egress; a normal network beside it (the control) does. */
export default defineCheck({
  id: 'nat/internal-no-egress',
  title: 'An internal network has no egress',
  requires: { modes: ['bridge'], features: ['internal'], outsidePeer: true },
  async run(ctx) {
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'internal', internal: true }, { name: 'normal' }],
      sandboxes: [
        { name: 'i', network: 'internal' },
        { name: 'n', network: 'normal' },
      ],
    });
    const cells: Cell[] = [];
    for (const protocol of ['icmp', 'tcp', 'udp'] as const) {
      cells.push({
        from: sandboxPeer('i', scenario.sandbox('i')),
        to: outsidePeer(ctx),
        protocol,
        expected: blocked,
      });
      cells.push({ from: sandboxPeer('n', scenario.sandbox('n')), to: outsidePeer(ctx), protocol, expected: ok });
    }
    const table = await probeCells(ctx, cells);
    return verdict(
      table.mismatches.length === 0,
      {
        pass: 'the internal network reaches nothing outside; the normal one does (control)',
        fail: describeMismatches(table),
      },
      { internalToOutside: blocked, normalToOutside: ok },
      { table: table.rows },
    );
  },
});
