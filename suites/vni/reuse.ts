import { defineCheck, verdict } from '../framework/check.ts';
import { allVxlanDevices } from '../framework/vxlan.ts';
import { agreedVni, observeNetwork, removeNow } from './overlay-vnis.ts';

/** A deleted network's VNI is freed (its devices go from every host) and the next network gets it again. */
export default defineCheck({
  id: 'vni/reuse',
  title: 'A VNI is freed on delete and reused',
  requires: { modes: ['overlay'], minHosts: 2 },
  async run(ctx) {
    const first = await observeNetwork(ctx, 'r1');
    const v1 = agreedVni(first.perHost, ctx.lab.hosts.length);
    if (v1 === undefined) throw new Error(`no single VNI for the first network: ${JSON.stringify(first.perHost)}`);
    await removeNow(first, 'r1');
    // deletion may be asynchronous (swarm): wait for the devices to go, bounded
    let lingering: string[] = [];
    for (let i = 0; i < 50; i++) {
      lingering = (await allVxlanDevices(ctx)).filter((d) => d.vni === v1).map((d) => `${d.host}/${d.where}`);
      if (!lingering.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const second = await observeNetwork(ctx, 'r2');
    const v2 = agreedVni(second.perHost, ctx.lab.hosts.length);
    return verdict(
      lingering.length === 0 && v2 === v1,
      {
        pass: `VNI ${v1} was freed on delete and given to the next network`,
        fail: [
          lingering.length && `VNI ${v1} still on ${lingering.join(', ')} after delete`,
          v2 !== v1 && `the next network got VNI ${v2}, not the freed ${v1}`,
        ]
          .filter(Boolean)
          .join('; '),
      },
      { freedOnDelete: true, nextNetworkVni: v1 },
      { vnis: [v1, v2].filter((v) => v !== undefined), lingering },
    );
  },
});
