import type { Sandbox } from '../../drivers/contract.ts';
import { launchEtcd, stopEtcd } from '../../lab/kv/etcd-server.ts';
import { settledWithin, sleep } from '../../lab/wait.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { labFootprint, leftBehind } from '../framework/lab-footprint.ts';
import { addressNow, PATH_WAIT_MS, reaches, said, WHOLE_LAB, workingPair } from './pair.ts';
import { ProbeLoop } from './probe-loop.ts';

/** How long etcd stays down at least. */
const OUTAGE_MS = 6_000;
/** What "bounded" means for a sandbox made while etcd is down: it works or fails within this. */
const CREATE_BOUND_MS = 30_000;

/** What came of the sandbox made during the outage, in words. */
function describeDuring(during: { ok: true; ms: number } | { ok: false; ms: number; error: string } | undefined) {
  if (!during) return 'did not finish';
  return during.ok ? `worked in ${during.ms} ms` : `failed cleanly in ${during.ms} ms (${during.error})`;
}

/**
 * The lab's etcd is stopped (killed) for a while during cross-host traffic, then started again.
 * Existing flows keep working (a probe loop records any loss); a sandbox made during the outage
 * either works or fails with an error within a bound — no hang; after etcd is back, a new
 * cross-host sandbox converges (a metric); and removing everything leaves no key, device or rule.
 */
export default defineCheck({
  id: 'resilience/kv-outage',
  title: "While the lab's etcd is down, existing flows hold and new endpoints fail cleanly; after it, all converges",
  requires: { features: ['multiHost'], minHosts: 2, traits: ['keepsStateInLabKv'], faultsInLab: true },
  exclusive: WHOLE_LAB,
  injectsFaults: true,
  timeoutMs: 180_000,
  async run(ctx) {
    const kv = ctx.lab.descriptor.kv!;
    const before = await labFootprint(ctx);
    const pair = await workingPair(ctx, { forceCrossHost: true });
    if (!('p1' in pair)) return pair;
    const net = pair.scenario.network('net');
    const second = ctx.lab.hosts[1]!;
    const loop = ProbeLoop.start(ctx, pair.p1, await addressNow(pair, 'p2'));
    await sleep(600, ctx.signal);
    let down = false;
    // etcd comes back whatever happens (a failure, Ctrl-C): the lab is never left without it
    ctx.defer(async () => {
      if (down) await launchEtcd(kv);
    });
    const mark = loop.mark('etcd stopped');
    const stopped = await stopEtcd(kv);
    down = true;
    ctx.record('kv', { command: `kill -KILL ${stopped.join(' ')} (etcd)`, exitCode: 0, output: '', timedOut: false });
    const outageStart = Date.now();
    // a new endpoint during the outage: made, or refused in time; one that hangs is taken when it ends
    const made: Sandbox[] = [];
    const t0 = Date.now();
    const attempt = ctx.driver.createSandbox({ name: 'p3', host: second, network: net }).then(
      (s) => {
        made.push(ctx.use(s));
        return { ok: true as const, ms: Date.now() - t0 };
      },
      (e: unknown) => ({ ok: false as const, ms: Date.now() - t0, error: said(e) }),
    );
    // whatever stops the check (Ctrl-C), the creation is let finish before the cleanup runs: what it
    // makes after that would escape it
    ctx.defer(() => settledWithin(attempt, CREATE_BOUND_MS));
    const during = await Promise.race([attempt, sleep(CREATE_BOUND_MS, ctx.signal).then(() => undefined)]);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)), ctx.signal);
    await launchEtcd(kv);
    down = false;
    loop.unmark(mark);
    const outageMs = Date.now() - outageStart;
    await sleep(500, ctx.signal);
    const timeline = await loop.stop();
    const inOutage = timeline.samples.filter(([at]) => at >= mark.startMs && at <= mark.endMs!);
    const lostInOutage = inOutage.filter(([, o]) => o !== 'ok').length;
    // after: a new cross-host endpoint converges
    const t1 = Date.now();
    let converged = { reached: false, afterMs: 0 };
    let afterError: string | undefined;
    try {
      const p4 = ctx.use(await ctx.driver.createSandbox({ name: 'p4', host: second, network: net }));
      made.push(p4);
      const r = await reaches(ctx, p4, await addressNow(pair, 'p1'), PATH_WAIT_MS);
      converged = { reached: r.reached, afterMs: Date.now() - t1 };
    } catch (e) {
      afterError = said(e);
    }
    if (!during) await Promise.race([attempt, sleep(CREATE_BOUND_MS, ctx.signal)]);
    const teardownErrors: string[] = [];
    for (const s of [...made, pair.p1, pair.p2]) await s.remove().catch((e: unknown) => teardownErrors.push(said(e)));
    await net.remove().catch((e: unknown) => teardownErrors.push(said(e)));
    const left = teardownErrors.length ? { added: [], removed: [] } : await leftBehind(ctx, before);
    // existing flows: at most one probe in three lost while etcd was down
    const flowsHeld = inOutage.length > 0 && lostInOutage * 3 <= inOutage.length;
    const problems = [
      !flowsHeld && `existing flows broke while etcd was down: ${lostInOutage} of ${inOutage.length} probes lost`,
      !during &&
        `creating a sandbox while etcd was down neither worked nor failed within ${CREATE_BOUND_MS / 1000} s (a hang)`,
      afterError && `after etcd was back a new sandbox could not be made: ${afterError}`,
      !afterError &&
        !converged.reached &&
        `after etcd was back a new cross-host sandbox did not reach p1 within ${PATH_WAIT_MS / 1000} s`,
      teardownErrors.length && `removal failed: ${teardownErrors.join('; ')}`,
      left.added.length && `left behind: ${left.added.slice(0, 8).join('; ')}`,
    ].filter(Boolean);
    return verdict(
      problems.length === 0,
      {
        pass:
          `etcd was down ${outageMs} ms: ${inOutage.length - lostInOutage}/${inOutage.length} probes ` +
          `answered; a sandbox made meanwhile ${describeDuring(during)}; ` +
          `afterwards a new cross-host sandbox converged in ${converged.afterMs} ms and removal left nothing`,
        fail: problems.join('; '),
      },
      {
        existingFlows: 'hold',
        duringOutage: `works or fails within ${CREATE_BOUND_MS / 1000} s`,
        after: 'converges',
        leftBehind: [],
      },
      {
        duringOutage: during ?? 'no answer within the bound',
        converged,
        afterError: afterError ?? null,
        teardownErrors,
        leftBehind: left.added,
      },
      {
        outageMs,
        probesLostInOutage: lostInOutage,
        probesInOutage: inOutage.length,
        createDuringOutageMs: during?.ms ?? null,
        convergedAfterMs: converged.reached ? converged.afterMs : null,
        timeline,
      },
    );
  },
});
