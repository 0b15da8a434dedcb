import { listeningScript } from '../../lab/listening.ts';
import { PROBE_PORTS } from '../../lab/probes.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { ok } from '../framework/expectations.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, probeCells } from '../framework/truth-table.ts';

const MARKER_PORT = PROBE_PORTS.tcp + 10;

/** The joined sandbox reaches, over 127.0.0.1, a server that only its peer runs: one stack, shared. */
export default defineCheck({
  id: 'isolation/container-shares-stack',
  title: "A container-mode sandbox shares its peer's loopback",
  requires: { modes: ['container'] },
  async run(ctx) {
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'net' }],
      sandboxes: [
        { name: 'primary', network: 'net' },
        { name: 'joined', shareWith: 'primary' },
      ],
    });
    const primary = scenario.sandbox('primary');
    ctx.record(
      primary.host.name,
      await primary.exec([
        'sh',
        '-c',
        `socat TCP-LISTEN:${MARKER_PORT},fork,reuseaddr 'SYSTEM:echo $SOCAT_PEERADDR' >/dev/null 2>&1 & ` +
          listeningScript({ tcp: [MARKER_PORT] }, 'the marker server'),
      ]),
    );
    const table = await probeCells(ctx, [
      {
        from: { name: 'joined', source: { sandbox: scenario.sandbox('joined') } },
        to: { name: 'primary', target: '127.0.0.1' },
        protocol: 'tcp',
        expected: ok,
        port: MARKER_PORT,
      },
    ]);
    return verdict(
      table.mismatches.length === 0,
      {
        pass: `the joined sandbox reached the primary's server on 127.0.0.1:${MARKER_PORT}`,
        fail: describeMismatches(table),
      },
      { loopbackShared: true },
      { table: table.rows },
    );
  },
});
