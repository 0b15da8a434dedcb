import { runDump } from '../../lab/linux/command.ts';
import { listNetns } from '../../lab/linux/netns.ts';
import { sleep } from '../../lab/wait.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import type { CheckContext } from '../framework/context.ts';
import { footprintDiff, kvFootprint } from '../framework/footprint.ts';
import { allVxlanDevices } from '../framework/vxlan.ts';
import { agreedVni, observeNetwork, removeNow } from './overlay-vnis.ts';
import { sparePair } from './spare-vnis.ts';

const RELEASE_WAIT_MS = 10_000;

/** Forwarding entries that carry `vni` in the lab hosts' namespaces and the ones the harness made on them. */
async function fdbEntriesWith(ctx: CheckContext, vni: number): Promise<string[]> {
  const found: string[] = [];
  const spaces = [
    ...ctx.lab.hosts.map((h) => h.netns!),
    ...(await listNetns()).filter((n) => ctx.lab.hosts.some((h) => n.startsWith(`${h.name}-`))),
  ];
  for (const ns of spaces) {
    const r = await runDump(['bridge', '-j', 'fdb', 'show'], { netns: ns, signal: ctx.signal });
    if (r.exitCode !== 0) continue;
    const entries = JSON.parse(r.output || '[]') as { ifname?: string; mac?: string; dst?: string; vni?: number }[];
    for (const e of entries.filter((x) => x.vni === vni)) found.push(`${ns}: ${e.mac} dev ${e.ifname} dst ${e.dst}`);
  }
  return found;
}

/**
 * A deleted network's VNI is released on every host: no VXLAN device and no forwarding entry holds
 * it, and the network's keys are gone from the store. Where the range is configurable, a range of two
 * VNIs serves two networks again after both were deleted. Which free VNI the next network gets is
 * the allocator's business, not the model's.
 */
export default defineCheck({
  id: 'vni/release',
  title: "A deleted network's VNI is released on every host (and a full range serves again)",
  // a pass is an absence (no device, entry or key left): another driver's work meanwhile can only
  // add to what it sees, so it runs beside the others and a fail is confirmed alone
  readsWhole: ['vxlan', 'kv'],
  requires: { modes: ['overlay'], minHosts: 2 },
  async run(ctx) {
    const keysBefore = await kvFootprint(ctx);
    const first = await observeNetwork(ctx, 'r1');
    const vni = agreedVni(first.perHost, ctx.lab.hosts.length);
    if (vni === undefined)
      throw new Error(
        `the hosts do not agree on one VNI (vni/allocation judges that): ${JSON.stringify(first.perHost)}`,
      );
    await removeNow(first, 'r1');
    // deletion may be asynchronous (swarm, the classic overlay's store): wait for it, bounded
    const t0 = Date.now();
    let held: { devices: string[]; fdb: string[]; keys: string[] };
    for (;;) {
      const devices = (await allVxlanDevices(ctx)).filter((d) => d.vni === vni).map((d) => `${d.host}/${d.where}`);
      const keys = footprintDiff(keysBefore, await kvFootprint(ctx)).added;
      held = { devices, fdb: await fdbEntriesWith(ctx, vni), keys };
      if ((!devices.length && !held.fdb.length && !keys.length) || Date.now() - t0 > RELEASE_WAIT_MS) break;
      await sleep(250, ctx.signal);
    }
    const releasedMs = Date.now() - t0;

    // a range of two VNIs, used up, emptied and used up again
    let refilled: string | undefined;
    if (ctx.profile.configurableVniRange) {
      const options = { 'vni-range': sparePair(ctx.profile.vniRange!).join('-') };
      try {
        for (const round of [1, 2]) {
          const nets = [];
          // handed to the context too: a round that fails half-way must not keep the pair taken
          for (const n of ['f1', 'f2'])
            nets.push(ctx.use(await ctx.driver.createNetwork({ name: `${n}r${round}`, options })));
          for (const n of nets.reverse()) await n.remove();
        }
        refilled = 'ok';
      } catch (e) {
        refilled = e instanceof Error ? e.message : String(e);
      }
      ctx.evidence.push({
        host: 'driver',
        command: `create two networks with vni-range=${options['vni-range']}, delete both, create two again`,
        exitCode: refilled === 'ok' ? 0 : 1,
        output: refilled,
      });
    }
    const released = !held.devices.length && !held.fdb.length && !held.keys.length;
    return verdict(
      released && (refilled === undefined || refilled === 'ok'),
      {
        pass:
          `VNI ${vni} released on every host within ${releasedMs} ms` +
          (refilled ? '; a two-VNI range served two networks again after both were deleted' : ''),
        fail: [
          held.devices.length && `VNI ${vni} still has a VXLAN device on ${held.devices.join(', ')}`,
          held.fdb.length && `forwarding entries still carry VNI ${vni}: ${held.fdb.join('; ')}`,
          held.keys.length && `store keys left by the deleted network: ${held.keys.join(', ')}`,
          refilled !== undefined &&
            refilled !== 'ok' &&
            `a freed two-VNI range did not serve two networks again: ${refilled}`,
        ]
          .filter(Boolean)
          .join('; '),
      },
      { released: { devices: [], fdb: [], keys: [] }, ...(refilled !== undefined ? { rangeServesAgain: true } : {}) },
      { vnis: [vni], held, releasedMs, ...(refilled !== undefined ? { rangeServesAgain: refilled } : {}) },
      { releasedMs },
    );
  },
});
