import { run } from '../../lab/linux/command.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { blocked } from '../framework/expectations.ts';
import { hostAddress, outsidePeer } from '../framework/peers.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells } from '../framework/truth-table.ts';

/**
 * The sandbox's private address is not reachable from outside, even for a neighbour that routes
 * the private subnet through the host (the route is added in the outside peer's namespace).
 */
export default defineCheck({
  id: 'nat/private-unreachable',
  title: "A sandbox's private address is unreachable from outside",
  requires: { modes: ['bridge'], features: ['nat'], outsidePeer: true },
  async run(ctx) {
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'net' }],
      sandboxes: [{ name: 's', network: 'net' }],
    });
    const s = scenario.sandbox('s');
    const outside = outsidePeer(ctx);
    const ns = ctx.lab.underlay!.outside.netns;
    const route = ['ip', 'route', 'replace', `${scenario.addressOf('s', 'net')}/32`, 'via', hostAddress(s.host)];
    ctx.record(ns, await run(route, { netns: ns }));
    try {
      const table = await probeCells(
        ctx,
        (['icmp', 'tcp', 'udp'] as const).map((protocol) => ({
          from: outside,
          to: { name: 's', target: scenario.addressOf('s', 'net') },
          protocol,
          expected: blocked,
        })),
      );
      return verdict(
        table.mismatches.length === 0,
        {
          pass: `outside → ${scenario.addressOf('s', 'net')} (routed via the host) gets nothing back`,
          fail: describeMismatches(table),
        },
        { outsideToPrivate: blocked },
        { table: table.rows },
      );
    } finally {
      ctx.record(ns, await run(['ip', 'route', 'del', `${scenario.addressOf('s', 'net')}/32`], { netns: ns }));
    }
  },
});
