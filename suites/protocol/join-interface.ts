import { inSubnet, parseCidr } from '../../drivers/reference/ipam.ts';
import { run } from '../../lab/linux/command.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { runLifecycle, stoppedAt } from './lifecycle.ts';
import { ProtocolSession } from './session.ts';

/**
 * Join's SrcName must exist in the engine's namespace and be movable into the sandbox under
 * DstPrefix — the harness does exactly what Docker does with it: moves it into the sandbox
 * (SandboxKey), renames it DstPrefix0 and brings it up. A Gateway, if given, must be in the pool.
 */
export default defineCheck({
  id: 'protocol/join-interface',
  title: "Join's SrcName exists in the host namespace and moves into the sandbox as DstPrefix0",
  requires: { features: ['remote'] },
  timeoutMs: 60_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const netns = session.target.netns;
    const problems: string[] = [];
    let inside = '';
    const l = await runLifecycle(session, {
      keepJoined: true,
      between: async (lc) => {
        const src = lc.srcName!;
        const shown = ctx.record('plugin host', await run(['ip', '-o', 'link', 'show', 'dev', src], { netns }));
        if (shown.exitCode !== 0) {
          problems.push(`SrcName ${src} does not exist in the host namespace`);
          return;
        }
        const gateway = (lc.steps.at(-1)!.exchange.body as { Gateway?: string }).Gateway;
        if (gateway && !inSubnet(gateway, parseCidr(lc.network.pool)))
          problems.push(`Gateway ${gateway} is outside the pool ${lc.network.pool}`);
        const name = `${lc.dstPrefix}0`;
        const moved = ctx.record(
          'plugin host',
          await run(['ip', 'link', 'set', src, 'netns', lc.sandbox.key], { netns }),
        );
        if (moved.exitCode !== 0) problems.push(`moving ${src} into the sandbox failed: ${moved.output.trim()}`);
        for (const argv of [
          ['ip', 'link', 'set', src, 'name', name],
          ['ip', 'addr', 'add', lc.endpoint!.address, 'dev', name],
          ['ip', 'link', 'set', name, 'up'],
        ]) {
          if (problems.length) break;
          const r = ctx.record('sandbox', await run(argv, { netns: lc.sandbox.netns }));
          if (r.exitCode !== 0) problems.push(`${argv.join(' ')} in the sandbox failed: ${r.output.trim()}`);
        }
        inside = (
          await run(['ip', '-o', '-4', 'addr', 'show', 'dev', name], { netns: lc.sandbox.netns })
        ).output.trim();
      },
    });
    if (l.failedAt) problems.unshift(`the lifecycle ${stoppedAt(l)}`);
    return verdict(
      problems.length === 0,
      {
        pass:
          `${l.srcName} existed in the host namespace and works in the sandbox as ${l.dstPrefix}0 ` +
          `(${l.endpoint?.address})`,
        fail: problems.join('; '),
      },
      { srcName: 'exists in the host namespace', dstPrefix: 'usable as an interface name prefix' },
      { srcName: l.srcName ?? null, dstPrefix: l.dstPrefix ?? null, inSandbox: inside },
    );
  },
});
