import { runJson } from '../../lab/linux/command.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { runLifecycle, stoppedAt } from './lifecycle.ts';
import { ProtocolSession } from './session.ts';

const MTU = 1400;

/**
 * `docker network create -o KEY=VALUE` reaches the plugin under Options["com.docker.network.generic"];
 * a plugin reading the top level of Options silently ignores every `-o`. Observed through an option
 * with a visible effect: the MTU of Join's interface.
 */
export default defineCheck({
  id: 'protocol/generic-options',
  title: "-o options are read from com.docker.network.generic (seen in the MTU of Join's interface)",
  requires: { features: ['remote', 'mtuOption'] },
  timeoutMs: 60_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const key = session.target.mtuOption ?? 'com.docker.network.driver.mtu';
    let mtu: number | undefined;
    const l = await runLifecycle(session, {
      generic: { [key]: String(MTU) },
      between: async (lc) => {
        const links = await runJson<{ mtu: number }[]>(['ip', '-j', 'link', 'show', 'dev', lc.srcName!], {
          netns: session.target.netns,
        }).catch(() => []);
        mtu = links[0]?.mtu;
      },
    });
    return verdict(
      !l.failedAt && mtu === MTU,
      {
        pass: `-o ${key}=${MTU} gave ${l.srcName} MTU ${mtu}`,
        fail: l.failedAt
          ? `the lifecycle ${stoppedAt(l)}`
          : `-o ${key}=${MTU} was ignored: ${l.srcName} has MTU ${mtu}`,
      },
      { option: `${key}=${MTU}`, mtu: MTU },
      { mtu: mtu ?? null },
    );
  },
});
