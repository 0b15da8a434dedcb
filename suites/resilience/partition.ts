import { clearDrops, hostPort, setPortUp } from '../../lab/underlay-faults.ts';
import { sleep } from '../../lab/wait.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { probe } from '../framework/probe.ts';
import { vxlanDevices } from '../framework/vxlan.ts';
import { addressNow, PATH_WAIT_MS, reaches, WHOLE_LAB, workingPair } from './pair.ts';
import { ProbeLoop } from './probe-loop.ts';

/** How long the second host is cut off the underlay. */
const PARTITION_MS = 5_000;

/**
 * The second host is cut off the underlay (its switch port down) for a few seconds and joined
 * again. Cross-host connectivity must come back within a bound (a metric: how long after the heal),
 * and the driver's state must be whole: a new sandbox on the partitioned host reaches the first
 * host, no host holds two devices with one VNI, and names resolve across hosts where the profile
 * has DNS.
 */
export default defineCheck({
  id: 'resilience/partition',
  title: 'After a host is cut off the underlay and joined again, cross-host connectivity returns',
  requires: { modes: ['overlay'], features: ['multiHost'], minHosts: 2, faultsInLab: true },
  exclusive: WHOLE_LAB,
  injectsFaults: true,
  timeoutMs: 150_000,
  async run(ctx) {
    const underlay = ctx.lab.underlay!;
    const cut = ctx.lab.hosts[1]!;
    const port = hostPort(cut.descriptor);
    const pair = await workingPair(ctx, { forceCrossHost: true });
    if (!('p1' in pair)) return pair;
    const loop = ProbeLoop.start(ctx, pair.p1, await addressNow(pair, 'p2'));
    await sleep(600, ctx.signal);
    // undone whatever happens next (a failure, Ctrl-C): the host is never left cut off
    ctx.defer(async () => {
      await setPortUp(underlay, port, true);
      await clearDrops(underlay);
    });
    const mark = loop.mark(`${cut.name} cut off the underlay`);
    ctx.record('underlay', await setPortUp(underlay, port, false));
    await sleep(PARTITION_MS, ctx.signal);
    ctx.record('underlay', await setPortUp(underlay, port, true));
    loop.unmark(mark);
    const back = await loop.answeredAgain(PATH_WAIT_MS);
    await sleep(500, ctx.signal);
    const timeline = await loop.stop();
    // consistency: a new sandbox on the host that was cut off reaches the first host's
    const net = pair.scenario.network('net');
    const p3 = ctx.use(await ctx.driver.createSandbox({ name: 'p3', host: cut, network: net }));
    const fresh = await reaches(ctx, p3, await addressNow(pair, 'p1'));
    const devices = (await Promise.all(ctx.lab.hosts.map((h) => vxlanDevices(ctx, h)))).map((list, i) => ({
      host: ctx.lab.hosts[i]!.name,
      vnis: list.map((d) => d.vni),
    }));
    const duplicated = devices.filter((d) => new Set(d.vnis).size !== d.vnis.length);
    const byName = ctx.profile.dns
      ? (await probe(ctx, { sandbox: pair.p1 }, 'icmp', pair.p2.dnsName)).outcome
      : undefined;
    const problems = [
      !back.answered && `p1 did not reach p2 again within ${PATH_WAIT_MS / 1000} s of the heal`,
      !fresh.reached && `a sandbox made on ${cut.name} after the heal does not reach p1`,
      duplicated.length && `a host holds two VXLAN devices with one VNI: ${JSON.stringify(duplicated)}`,
      byName !== undefined && byName !== 'ok' && `p1 → p2 by name after the heal: ${byName}`,
    ].filter(Boolean);
    return verdict(
      problems.length === 0,
      {
        pass:
          `${cut.name} was cut off for ${PARTITION_MS / 1000} s; p1 reached p2 again ${back.afterMs} ms after the ` +
          `heal (longest gap ${timeline.longestGapMs} ms), a new sandbox there reached p1, VNIs stayed unique` +
          (byName ? ', names resolve' : ''),
        fail: problems.join('; '),
      },
      {
        recovered: `within ${PATH_WAIT_MS / 1000} s`,
        newSandbox: 'reaches p1',
        duplicateVnis: [],
        byName: ctx.profile.dns ? 'ok' : 'n/a',
      },
      { recovered: back.answered, newSandboxReaches: fresh.reached, vnis: devices, byName: byName ?? null },
      {
        partitionMs: PARTITION_MS,
        recoveredAfterMs: back.answered ? back.afterMs : null,
        longestGapMs: timeline.longestGapMs,
        timeline,
      },
    );
  },
});
