import { sleep } from '../../lab/wait.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { labFootprint, leftBehind } from '../framework/lab-footprint.ts';
import { addressNow, reaches, said, WHOLE_LAB, workingPair } from './pair.ts';
import { ProbeLoop } from './probe-loop.ts';

/**
 * The plugin is killed (SIGKILL: a crash) on the first host and started again with the same
 * command, as a supervisor would. Then: the existing sandboxes still reach each other (the data
 * plane outlived the control plane); a new sandbox joins the existing network and reaches both
 * (the plugin knows its networks again, from its store or from the engine: a plugin that forgot
 * them makes the engine answer "No such network"); and removing everything leaves nothing behind.
 */
export default defineCheck({
  id: 'resilience/plugin-restart',
  title: 'After its plugin crashes and restarts, a network keeps working and takes new sandboxes',
  requires: { modes: ['bridge', 'overlay'], traits: ['restartablePlugin'], faultsInLab: true },
  exclusive: WHOLE_LAB,
  injectsFaults: true,
  timeoutMs: 150_000,
  async run(ctx) {
    const host = ctx.lab.hosts[0]!;
    const before = await labFootprint(ctx);
    const pair = await workingPair(ctx);
    if (!('p1' in pair)) return pair;
    const { p1, p2 } = pair;
    const loop = ProbeLoop.start(ctx, p1, await addressNow(pair, 'p2'));
    await sleep(600, ctx.signal);
    const mark = loop.mark(`plugin killed and restarted on ${host.name}`);
    const restart = await ctx.driver.restartPlugin!(host);
    loop.unmark(mark);
    ctx.record(host.name, restart.evidence);
    await sleep(1000, ctx.signal);
    const timeline = await loop.stop();
    // the data plane: the pair still reaches each other, both ways
    // both ways at once, as the new sandbox's two paths below: a path that is gone costs one wait, not one each
    const [to1, to2] = [await addressNow(pair, 'p1'), await addressNow(pair, 'p2')];
    const [there, back] = await Promise.all([reaches(ctx, p1, to2, 5_000), reaches(ctx, p2, to1, 5_000)]);
    // the control plane: a new sandbox on the existing network, on the restarted plugin's host
    let joined: string | undefined;
    let joinError: string | undefined;
    let newReaches = { p1: false, p2: false };
    try {
      const p3 = ctx.use(await ctx.driver.createSandbox({ name: 'p3', host, network: pair.scenario.network('net') }));
      joined = p3.address(pair.scenario.network('net'));
      const [r1, r2] = await Promise.all([reaches(ctx, p3, to1), reaches(ctx, p3, to2)]);
      newReaches = { p1: r1.reached, p2: r2.reached };
      await p3.remove();
    } catch (e) {
      joinError = said(e);
    }
    // and the way out: everything removed, nothing left
    const teardownErrors: string[] = [];
    for (const step of [() => p1.remove(), () => p2.remove(), () => pair.scenario.network('net').remove()])
      await step().catch((e: unknown) => teardownErrors.push(said(e)));
    const left = teardownErrors.length ? { added: [], removed: [] } : await leftBehind(ctx, before);
    const dataPlane = there.reached && back.reached;
    const controlPlane = joinError === undefined && newReaches.p1 && newReaches.p2;
    const problems = [
      !dataPlane &&
        `after the restart p1 and p2 no longer reach each other (p1→p2 ${there.reached}, p2→p1 ${back.reached})`,
      joinError && `a new sandbox could not join the existing network after the restart: ${joinError}`,
      !joinError &&
        !controlPlane &&
        `the new sandbox p3 (${joined}) does not reach p1 (${newReaches.p1}) and p2 (${newReaches.p2})`,
      teardownErrors.length && `removal failed after the restart: ${teardownErrors.join('; ')}`,
      left.added.length && `left behind: ${left.added.slice(0, 8).join('; ')}`,
    ].filter(Boolean);
    return verdict(
      problems.length === 0,
      {
        pass:
          `the plugin on ${host.name} was killed and answered again after ${restart.downMs} ms; p1 and p2 kept ` +
          `reaching each other (longest gap ${timeline.longestGapMs} ms), a new sandbox joined the network and ` +
          'reached ' +
          'both, and removing everything left nothing behind',
        fail: problems.join('; '),
      },
      { dataPlane: 'p1 ↔ p2 after the restart', newSandbox: 'joins and reaches p1, p2', leftBehind: [] },
      {
        dataPlane: { there: there.reached, back: back.reached },
        joined: joined ?? null,
        joinError: joinError ?? null,
        newReaches,
        teardownErrors,
        leftBehind: left.added,
      },
      { pluginDownMs: restart.downMs, longestGapMs: timeline.longestGapMs, timeline },
    );
  },
});
