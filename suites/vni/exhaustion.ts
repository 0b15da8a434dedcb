import { defineCheck, verdict } from '../framework/check.ts';
import { kvFootprint } from '../framework/footprint.ts';
import { allVxlanDevices, type VxlanDevice } from '../framework/vxlan.ts';
import { sparePair } from './spare-vnis.ts';

const deviceKey = (d: VxlanDevice) => `${d.host} ${d.where} ${d.name} vni ${d.vni}`;

/**
 * With a two-VNI range, two networks are created and the third fails with a clear error, leaving
 * nothing half-created: no new VXLAN device on any host, no new KV key.
 */
export default defineCheck({
  id: 'vni/exhaustion',
  title: 'Exhausting the VNI range fails cleanly',
  // a pass is a refusal that leaves nothing new; another driver's work meanwhile can only add a device
  // or a key: a fail, confirmed alone (its two VNIs are its own: spare-vnis.ts)
  readsWhole: ['vxlan', 'kv'],
  requires: { modes: ['overlay'], features: ['configurableVniRange'] },
  async run(ctx) {
    const [first] = sparePair(ctx.profile.vniRange!);
    const range = `${first}-${first + 1}`;
    const options = { 'vni-range': range };
    for (const name of ['x1', 'x2']) ctx.use(await ctx.driver.createNetwork({ name, options }));
    const devicesBefore = await allVxlanDevices(ctx);
    const keysBefore = await kvFootprint(ctx);
    let error: string | undefined;
    try {
      ctx.use(await ctx.driver.createNetwork({ name: 'x3', options }));
    } catch (e) {
      error = (e as Error).message;
    }
    ctx.evidence.push({
      host: 'driver',
      command: `create network x3 with vni-range=${range}`,
      exitCode: error ? 1 : 0,
      output: error ?? 'created',
    });
    // only a device that appeared is half-made: another driver's may go meanwhile (swarm removes late)
    const known = new Set(devicesBefore.map(deviceKey));
    const newDevices = (await allVxlanDevices(ctx)).filter((d) => !known.has(deviceKey(d))).map(deviceKey);
    const keysAfter = await kvFootprint(ctx);
    const newKeys = keysAfter.filter((k) => !keysBefore.includes(k));
    const clear = error !== undefined && /exhausted/i.test(error) && error.includes(String(first));
    return verdict(
      clear && newDevices.length === 0 && newKeys.length === 0,
      {
        pass: `the third network was refused: "${error}"; nothing was left half-created`,
        fail: [
          !error && 'a third network was created in a two-VNI range',
          error && !clear && `the error does not say the range is exhausted: ${error}`,
          newDevices.length && `new VXLAN devices: ${newDevices.join(', ')}`,
          newKeys.length && `new KV keys: ${newKeys.join(', ')}`,
        ]
          .filter(Boolean)
          .join('; '),
      },
      { error: `names the exhausted range ${range}`, halfCreated: [] },
      { error: error ?? null, newKeys, newDevices, devicesBefore: devicesBefore.length },
    );
  },
});
