import { passingEngineDevice } from '../../lab/engine-state.ts';
import { run } from '../../lab/linux/command.ts';
import { sleep } from '../../lab/wait.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { footprintDiff } from '../framework/footprint.ts';
import { runLifecycle, stoppedAt } from './lifecycle.ts';
import { ProtocolSession } from './session.ts';

/**
 * Leave, DeleteEndpoint and DeleteNetwork remove what the plugin made — looked up, not taken on
 * trust: after Leave, Join's SrcName is gone; after DeleteNetwork the plugin's namespace (links,
 * iptables rules, namespaces it made) and the KV store are as they were before CreateNetwork.
 */
export default defineCheck({
  id: 'protocol/teardown',
  title: 'Leave, DeleteEndpoint and DeleteNetwork remove what the plugin made',
  readsWhole: ['host-state', 'kv'],
  requires: { features: ['remote'] },
  timeoutMs: 60_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const netns = session.target.netns;
    const before = await session.footprint();
    let srcAfterLeave = '';
    const l = await runLifecycle(session, { keepJoined: true });
    if (!l.failedAt && l.endpoint) {
      await session.leave(l.endpoint);
      const shown = ctx.record('plugin host', await run(['ip', '-o', 'link', 'show', 'dev', l.srcName!], { netns }));
      if (shown.exitCode === 0) srcAfterLeave = shown.output.trim();
      await session.deleteEndpoint(l.endpoint);
      await session.deleteNetwork(l.network);
    }
    // a plugin may tear down asynchronously: give it two seconds
    let diff = footprintDiff(before, await session.footprint());
    for (let i = 0; i < 10 && (diff.added.length || diff.removed.some((x) => !passingEngineDevice(x))); i++) {
      await sleep(200, ctx.signal);
      diff = footprintDiff(before, await session.footprint());
    }
    // a Docker overlay device that vanished meanwhile is the engine's, not the plugin's doing
    const passing = diff.removed.filter(passingEngineDevice);
    diff = { ...diff, removed: diff.removed.filter((x) => !passingEngineDevice(x)) };
    const problems = [
      ...(l.failedAt ? [`the lifecycle ${stoppedAt(l)}`] : []),
      ...(srcAfterLeave ? [`after Leave ${l.srcName} is still there: ${srcAfterLeave}`] : []),
      ...diff.added.map((x) => `left behind: ${x}`),
      ...diff.removed.map((x) => `removed what was there before: ${x}`),
    ];
    return verdict(
      problems.length === 0,
      {
        pass:
          `after Leave ${l.srcName} was gone; after DeleteNetwork nothing of the network remained (${before.length} ` +
          `lines compared)`,
        fail: problems.slice(0, 6).join('; '),
      },
      'no link, iptables rule, namespace or KV key left; nothing else removed',
      { leftBehind: diff.added, removed: diff.removed, srcAfterLeave: srcAfterLeave || null, passing },
    );
  },
});
