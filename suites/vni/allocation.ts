import { defineCheck, verdict } from '../framework/check.ts';
import { agreedVni, observeNetwork } from './overlay-vnis.ts';

/** Each overlay network's VNI is in the declared range, the same on every host, and differs between networks. */
export default defineCheck({
  id: 'vni/allocation',
  title: 'VNIs are in range, the same on every host, distinct across networks',
  // each network's VNI is read off the bridge its sandboxes are plugged into, so others' networks meanwhile
  // do not show: it runs beside them (a driver built otherwise is diffed, alone), and a fail is confirmed alone
  readsWhole: ['vxlan'],
  requires: { modes: ['overlay'], minHosts: 2 },
  async run(ctx) {
    const range = ctx.profile.vniRange;
    if (!range) throw new Error(`${ctx.driver.driver.id} declares no VNI range`);
    const a = await observeNetwork(ctx, 'va');
    const b = await observeNetwork(ctx, 'vb');
    const va = agreedVni(a.perHost, ctx.lab.hosts.length);
    const vb = agreedVni(b.perHost, ctx.lab.hosts.length);
    const vnis = [va, vb].filter((v): v is number => v !== undefined);
    const inRange = vnis.every((v) => v >= range[0] && v <= range[1]);
    const problems = [
      va === undefined && `network va: hosts disagree or show no single VNI: ${JSON.stringify(a.perHost)}`,
      vb === undefined && `network vb: hosts disagree or show no single VNI: ${JSON.stringify(b.perHost)}`,
      !inRange && `VNIs ${vnis.join(', ')} are not all in ${range[0]}–${range[1]}`,
      va !== undefined && va === vb && `both networks got VNI ${va}`,
    ].filter(Boolean);
    return verdict(
      problems.length === 0,
      {
        pass:
          `va=${va}, vb=${vb}: in ${range[0]}–${range[1]}, one per network, the same on all ${ctx.lab.hosts.length} ` +
          `hosts`,
        fail: problems.join('; '),
      },
      { range, sameOnAllHosts: true, distinct: true },
      { vnis, perHost: { va: a.perHost, vb: b.perHost }, foundBy: { va: a.foundBy, vb: b.foundBy } },
    );
  },
});
