import { restartEngine } from '../../lab/netns-host.ts';
import { sleep } from '../../lab/wait.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { addressNow, reaches, WHOLE_LAB, workingPair, type Pair } from './pair.ts';
import { ProbeLoop, type Timeline } from './probe-loop.ts';

/** How long sandboxes with restart policy `always` may take to reach each other again after the engine is back. */
const BACK_WITHIN_MS = 60_000;
/** With live-restore, the longest gap a restart may cause (a probe or two lost to a loaded machine). */
const LIVE_RESTORE_GAP_MS = 2_000;
const LIVE_RESTORE = '--live-restore';

/** Both ways, each within what is left of `ms`: how long it took, or undefined. */
async function bothWays(ctx: Parameters<typeof workingPair>[0], pair: Pair, ms: number): Promise<number | undefined> {
  const t0 = Date.now();
  const there = await reaches(ctx, pair.p1, await addressNow(pair, 'p2'), ms);
  if (!there.reached) return undefined;
  const back = await reaches(ctx, pair.p2, await addressNow(pair, 'p1'), Math.max(1_000, ms - (Date.now() - t0)));
  return back.reached ? Date.now() - t0 : undefined;
}

/**
 * The first host's engine is restarted gracefully (SIGTERM, then started again with the flags it
 * had) with sandboxes of restart policy `always` on the driver's network: they must come back and
 * reach each other within a bound (a metric: seconds until reachable again). Then, with
 * `--live-restore` on the engine, connectivity must hold through a restart (the probe loop records
 * any gap). Swarm refuses live-restore, so a swarm driver's second part is not run, and says so.
 */
export default defineCheck({
  id: 'resilience/engine-restart',
  title: 'After an engine restart, sandboxes with restart policy always come back; with live-restore nothing stops',
  requires: { modes: ['bridge', 'overlay'], traits: ['engineSandboxes'], faultsInLab: true },
  exclusive: WHOLE_LAB,
  injectsFaults: true,
  timeoutMs: 300_000,
  async run(ctx) {
    const host = ctx.lab.hosts[0]!;
    const pair = await workingPair(ctx, { restartPolicy: 'always' });
    if (!('p1' in pair)) return pair;
    // whatever happens next, the engine ends as it began: without live-restore
    let liveRestore = false;
    ctx.defer(async () => {
      if (liveRestore) await restartEngine(host.descriptor, { dropArgs: [LIVE_RESTORE] });
    });
    const addressBefore = await addressNow(pair, 'p1');
    // the probe loop runs from the other host where there is one: it stays up through the restart
    const prober = pair.crossHost ? pair.p2 : pair.p1;
    const target = pair.crossHost ? addressBefore : await addressNow(pair, 'p2');
    const loop = ProbeLoop.start(ctx, prober, target);
    await sleep(600, ctx.signal);
    const mark = loop.mark(`${host.name}'s engine restarted`);
    const t0 = Date.now();
    await restartEngine(host.descriptor);
    const engineBackMs = Date.now() - t0;
    loop.unmark(mark);
    const reachable = await bothWays(ctx, pair, BACK_WITHIN_MS);
    const restartTimeline = await loop.stop();
    const addressAfter = await addressNow(pair, 'p1');

    let live: { timeline: Timeline; holds: boolean } | { notRun: string } | undefined;
    // swarm mode refuses live-restore (dockerd will not start): the driver's own swarm, or another's beside it
    const inSwarm = ((await host.docker.info()) as { Swarm?: { LocalNodeState?: string } }).Swarm?.LocalNodeState;
    const whose = ctx.driver.driver.engines === 'swarm' ? "the driver's" : "another driver's";
    if (ctx.driver.driver.engines === 'swarm' || inSwarm === 'active')
      live = {
        notRun: `the engine is in a swarm (${whose}), ` + 'and dockerd refuses live-restore in swarm mode',
      };
    else if (reachable !== undefined) {
      liveRestore = true;
      await restartEngine(host.descriptor, { addArgs: [LIVE_RESTORE] });
      if ((await bothWays(ctx, pair, BACK_WITHIN_MS)) === undefined)
        live = { notRun: 'with live-restore switched on, the sandboxes did not come back from that restart' };
      else {
        const liveLoop = ProbeLoop.start(ctx, pair.p1, await addressNow(pair, 'p2'));
        await sleep(600, ctx.signal);
        const liveMark = liveLoop.mark(`${host.name}'s engine restarted (live-restore)`);
        await restartEngine(host.descriptor);
        liveLoop.unmark(liveMark);
        await sleep(1_000, ctx.signal);
        const timeline = await liveLoop.stop();
        live = { timeline, holds: timeline.longestGapMs <= LIVE_RESTORE_GAP_MS };
      }
      await restartEngine(host.descriptor, { dropArgs: [LIVE_RESTORE] });
      liveRestore = false;
      await bothWays(ctx, pair, BACK_WITHIN_MS);
    }
    const liveHolds = !live || 'notRun' in live || live.holds;
    const problems = [
      reachable === undefined &&
        'after the engine restart the sandboxes (restart policy always) did not reach each other within ' +
          `${BACK_WITHIN_MS / 1000} s`,
      live &&
        'holds' in live &&
        !live.holds &&
        `with live-restore, the restart cut connectivity for ${live.timeline.longestGapMs} ms ` +
          `(more than ${LIVE_RESTORE_GAP_MS} ms)`,
    ].filter(Boolean);
    return verdict(
      problems.length === 0 && liveHolds,
      {
        pass:
          `the engine came back in ${engineBackMs} ms and the sandboxes reached each other again ` +
          `${reachable} ms later` +
          (live && 'holds' in live ? `; with live-restore the longest gap was ${live.timeline.longestGapMs} ms` : '') +
          (live && 'notRun' in live ? `; live-restore not run: ${live.notRun}` : ''),
        fail: problems.join('; '),
      },
      { backWithinMs: BACK_WITHIN_MS, liveRestoreGapAtMostMs: LIVE_RESTORE_GAP_MS },
      {
        reachableAgain: reachable !== undefined,
        address: { before: addressBefore, after: addressAfter },
        liveRestore: live
          ? 'notRun' in live
            ? { notRun: live.notRun }
            : { longestGapMs: live.timeline.longestGapMs }
          : null,
      },
      {
        engineBackMs,
        reachableAgainAfterMs: reachable ?? null,
        longestGapMs: restartTimeline.longestGapMs,
        timeline: restartTimeline,
        ...(live && 'timeline' in live
          ? { liveRestoreGapMs: live.timeline.longestGapMs, liveRestoreTimeline: live.timeline }
          : {}),
      },
    );
  },
});
