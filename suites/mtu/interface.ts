import { defineCheck, verdict } from '../framework/check.ts';
import { sandboxInterfaces } from '../framework/interfaces.ts';
import { Scenario } from '../framework/scenario.ts';

const REQUESTED = 1400;

/**
 * The sandbox's interface has the network's MTU: the one asked for where the driver takes one
 * (bridge: 1400 requested), else the one the profile declares (overlay: underlay − 50).
 */
export default defineCheck({
  id: 'mtu/interface',
  title: "The sandbox interface MTU equals the network's MTU",
  requires: { modes: ['bridge', 'overlay'] },
  async run(ctx) {
    const requested = ctx.profile.mtuOption ? REQUESTED : undefined;
    const expected = requested ?? ctx.profile.mtu;
    if (expected === undefined) throw new Error(`${ctx.driver.driver.id} declares no MTU and takes none`);
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'net', ...(requested ? { mtu: requested } : {}) }],
      sandboxes: [{ name: 's', network: 'net' }],
    });
    // the interface that holds the sandbox's address on this network (Docker may add others, e.g. docker_gwbridge)
    const address = scenario.addressOf('s', 'net');
    const interfaces = await sandboxInterfaces(ctx, scenario.sandbox('s'));
    const onNet = interfaces.find((i) => i.addresses.some((a) => a.startsWith(`${address}/`)));
    const mtus = interfaces.filter((i) => i.name !== 'lo').map((i) => ({ ifname: i.name, mtu: i.mtu }));
    const mtu = onNet?.mtu;
    return verdict(
      mtu === expected,
      {
        pass: `${onNet?.name} (${address}) has MTU ${expected}${requested ? ' (as requested)' : ''}`,
        fail: onNet
          ? `${onNet.name} (${address}) has MTU ${mtu}, expected ${expected}`
          : `no interface holds ${address}`,
      },
      { mtu: expected, requested: requested ?? null },
      { interface: onNet?.name ?? null, mtu: mtu ?? null, interfaces: mtus },
    );
  },
});
