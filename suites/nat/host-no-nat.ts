import { defineCheck, verdict } from '../framework/check.ts';
import { ok } from '../framework/expectations.ts';
import { hostAddress, outsidePeer, sandboxPeer } from '../framework/peers.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells } from '../framework/truth-table.ts';

/** Host mode has no NAT: the outside peer sees the host's own address, which is the sandbox's. */
export default defineCheck({
  id: 'nat/host-no-nat',
  title: 'Host mode has no NAT',
  requires: { modes: ['host'], outsidePeer: true },
  async run(ctx) {
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'host' }],
      sandboxes: [{ name: 'hs', network: 'host' }],
    });
    const hs = scenario.sandbox('hs');
    const own = hostAddress(hs.host);
    const table = await probeCells(
      ctx,
      (['tcp', 'udp'] as const).map((protocol) => ({
        from: sandboxPeer('hs', hs),
        to: outsidePeer(ctx),
        protocol,
        expected: ok,
      })),
    );
    const seen = table.rows.map((r) => r.seenAs);
    return verdict(
      table.mismatches.length === 0 && seen.every((s) => s === own),
      {
        pass: `the outside peer saw the sandbox's own (the host's) address ${own}`,
        fail: describeMismatches(table) || `outside saw ${seen.join(', ')}, expected ${own}`,
      },
      { sourceSeenByOutside: own },
      { seen, table: table.rows },
    );
  },
});
