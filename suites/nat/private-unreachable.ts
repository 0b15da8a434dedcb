import { LabFault } from '../../lab/lab-fault.ts';
import { run } from '../../lab/linux/command.ts';
import { PROTOCOLS } from '../../lab/probes.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { blocked, ok } from '../framework/expectations.ts';
import { hostAddress, outsidePeer, sandboxPeer } from '../framework/peers.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells, type ProbePeer } from '../framework/truth-table.ts';

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
    const address = scenario.addressOf('s', 'net');
    const outside = outsidePeer(ctx);
    const ns = ctx.lab.underlay!.outside.netns;
    const route = ['ip', 'route', 'replace', `${address}/32`, 'via', hostAddress(s.host)];
    const routed = ctx.record(ns, await run(route, { netns: ns, signal: ctx.signal }));
    ctx.defer(async () => {
      ctx.record(ns, await run(['ip', 'route', 'del', `${address}/32`], { netns: ns }));
    });
    if (routed.exitCode !== 0)
      throw new LabFault('outside peer', `could not route ${address} via the host: ${routed.output.trim()}`);
    const host: ProbePeer = { name: 'host', target: hostAddress(s.host) };
    const table = await probeCells(ctx, [
      // the route's next hop answers the outside peer: packets for the private address do reach the host
      { from: outside, to: host, protocol: 'icmp', expected: ok, control: true },
      ...PROTOCOLS.map((protocol) => ({
        from: outside,
        to: sandboxPeer('s', s, address),
        protocol,
        expected: blocked,
      })),
    ]);
    return verdict(
      table.mismatches.length === 0,
      {
        pass: `outside → ${address} (routed via the host) gets nothing back; the host itself answers (control)`,
        fail: describeMismatches(table),
      },
      { outsideToPrivate: blocked, control: 'outside → host ok' },
      { table: table.rows },
    );
  },
});
