import { defineCheck, verdict } from '../framework/check.ts';
import { ok } from '../framework/expectations.ts';
import { hostAddress, outsidePeer, sandboxPeer } from '../framework/peers.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells } from '../framework/truth-table.ts';

/** Egress is masqueraded: the outside peer's servers see the host's address, not the sandbox's. */
export default defineCheck({
  id: 'nat/egress-masquerade',
  title: "Egress is masqueraded behind the host's address",
  requires: { modes: ['bridge', 'overlay'], features: ['nat'], outsidePeer: true },
  async run(ctx) {
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'net' }],
      sandboxes: [{ name: 's', network: 'net' }],
    });
    const s = scenario.sandbox('s');
    const expectedSource = hostAddress(s.host);
    const table = await probeCells(
      ctx,
      (['icmp', 'tcp', 'udp'] as const).map((protocol) => ({
        from: sandboxPeer('s', s),
        to: outsidePeer(ctx),
        protocol,
        expected: ok,
      })),
    );
    const seen = table.rows.filter((r) => r.seenAs).map((r) => ({ protocol: r.protocol, seenAs: r.seenAs }));
    const wrong = seen.filter((x) => x.seenAs !== expectedSource);
    return verdict(
      table.mismatches.length === 0 && seen.length === 2 && wrong.length === 0,
      {
        pass: `the outside peer saw ${expectedSource} (the host), not ${scenario.addressOf('s', 'net')}`,
        fail:
          [
            describeMismatches(table),
            ...wrong.map((w) => `${w.protocol}: outside saw ${w.seenAs}, expected the host's ${expectedSource}`),
          ]
            .filter(Boolean)
            .join('; ') || 'the outside peer reported no source address',
      },
      { reachable: ok, sourceSeenByOutside: expectedSource },
      { sandboxAddress: scenario.addressOf('s', 'net'), seen, table: table.rows },
    );
  },
});
