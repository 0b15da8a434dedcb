import { defineCheck, verdict } from '../framework/check.ts';
import { sandboxInterfaces } from '../framework/interfaces.ts';
import { Scenario } from '../framework/scenario.ts';

/** IPv4 (20) + ICMP (8) headers: the largest DF ping payload is MTU − 28. */
const HEADERS = 28;

/**
 * A full-size packet with DF set passes between peers (across hosts where the driver spans them),
 * and one byte more fails with an error the sender sees ("message too long"), not in silence.
 */
export default defineCheck({
  id: 'mtu/df-boundary',
  title: 'The largest DF packet passes; one byte more fails with an error',
  requires: { modes: ['bridge', 'overlay'] },
  async run(ctx) {
    const crossHost = ctx.profile.multiHost && ctx.lab.hosts.length > 1;
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'net' }],
      sandboxes: [
        { name: 'a', host: 0, network: 'net' },
        { name: 'b', host: crossHost ? 1 : 0, network: 'net' },
      ],
    });
    const a = scenario.sandbox('a');
    // the MTU of the interface on this network (a sandbox may have others, e.g. docker_gwbridge)
    const own = scenario.addressOf('a', 'net');
    const mtu = (await sandboxInterfaces(ctx, a)).find((i) => i.addresses.some((x) => x.startsWith(`${own}/`)))?.mtu;
    if (!mtu) throw new Error(`no interface of sandbox a holds ${own}`);
    const target = scenario.addressOf('b', 'net');
    // iputils ping: busybox's cannot set DF. Warm the neighbour entry first so the size is the only variable.
    const ping = (size: number) =>
      a.exec(['ping', '-M', 'do', '-c', '1', '-W', '2', '-s', String(size), target], 15_000);
    ctx.record(
      a.host.name,
      await a.exec([
        'sh',
        '-c',
        `for i in 1 2 3; do busybox ping -c 1 -W 1 ${target} >/dev/null && exit 0; done; exit 1`,
      ]),
    );
    const full = ctx.record(a.host.name, await ping(mtu - HEADERS));
    const over = ctx.record(a.host.name, await ping(mtu - HEADERS + 1));
    const fullOk = full.exitCode === 0 && /1 received/.test(full.output);
    const overError = over.exitCode !== 0 && /message too long|frag needed|mtu/i.test(over.output);
    const overMessage = over.output
      .split('\n')
      .find((l) => /too long|mtu/i.test(l))
      ?.trim();
    return verdict(
      fullOk && overError,
      {
        pass:
          `${mtu - HEADERS} bytes with DF reach ${target}${crossHost ? ' on the other host' : ''}; ` +
          `${mtu - HEADERS + 1} fail with: ${overMessage}`,
        fail: [
          !fullOk && `a full-size DF packet (${mtu - HEADERS} bytes) did not get through`,
          !overError &&
            `one byte more did not fail with an error ` +
              `(exit ${over.exitCode}: ${over.output.trim().split('\n').at(-1)})`,
        ]
          .filter(Boolean)
          .join('; '),
      },
      { mtu, fullSize: 'passes', oneMore: 'fails with an error' },
      { mtu, fullSizePassed: fullOk, oneMoreError: overError, crossHost },
    );
  },
});
