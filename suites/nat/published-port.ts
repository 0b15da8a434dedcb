import { PROBE_PORTS } from '../../lab/probes.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { ok } from '../framework/expectations.ts';
import { hostAddress, outsidePeer, sandboxPeer } from '../framework/peers.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells } from '../framework/truth-table.ts';

/** A published port answers at the host's address: from outside, and from a peer on the same host (hairpin). */
export default defineCheck({
  id: 'nat/published-port',
  title: 'A published port is reachable from outside and by hairpin',
  requires: { modes: ['bridge'], features: ['publish'], outsidePeer: true },
  async run(ctx) {
    const hostPort = ctx.hostPort();
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'net' }],
      sandboxes: [
        { name: 'server', network: 'net', publish: [{ port: PROBE_PORTS.tcp, hostPort: hostPort }] },
        { name: 'peer', network: 'net' },
      ],
    });
    const published = { name: `host:${hostPort}`, target: hostAddress(scenario.sandbox('server').host) };
    const table = await probeCells(ctx, [
      { from: outsidePeer(ctx), to: published, protocol: 'tcp', expected: ok, port: hostPort },
      {
        from: sandboxPeer('peer', scenario.sandbox('peer')),
        to: published,
        protocol: 'tcp',
        expected: ok,
        port: hostPort,
      },
    ]);
    return verdict(
      table.mismatches.length === 0,
      {
        pass:
          `${published.target}:${hostPort} reaches the server's port ${PROBE_PORTS.tcp} from outside and by ` +
          `hairpin`,
        fail: describeMismatches(table),
      },
      { fromOutside: ok, hairpin: ok },
      { table: table.rows },
    );
  },
});
