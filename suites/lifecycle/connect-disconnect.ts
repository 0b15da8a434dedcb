import { defineCheck, verdict } from '../framework/check.ts';
import { sandboxInterfaces } from '../framework/interfaces.ts';
import { labFootprint, leftBehind } from '../framework/lab-footprint.ts';

/**
 * A live sandbox is connected to a second network and disconnected again; then the sandbox is
 * removed and both networks deleted. Afterwards no host shows a link, iptables rule or KV key
 * that was not there before (compared line by line, polled briefly for asynchronous drivers).
 */
export default defineCheck({
  id: 'lifecycle/connect-disconnect',
  title: 'Connect, disconnect, remove and delete leave nothing behind',
  readsWhole: ['host-state', 'kv'],
  requires: { modes: ['bridge', 'overlay'] },
  async run(ctx) {
    const host = ctx.lab.hosts[0]!;
    const before = await labFootprint(ctx);
    const a = await ctx.driver.createNetwork({ name: 'la', host });
    const b = await ctx.driver.createNetwork({ name: 'lb', host });
    let removedAll = false;
    try {
      const s = await ctx.driver.createSandbox({ name: 'ls', host, network: a });
      const nonLo = async () =>
        (await sandboxInterfaces(ctx, s)).filter((i) => i.name !== 'lo' && i.addresses.some((x) => !x.includes(':')));
      const initial = (await nonLo()).length;
      await ctx.driver.connect(s, b);
      const connected = await nonLo();
      const addressOnB = s.address(b);
      await ctx.driver.disconnect(s, b);
      const disconnected = (await nonLo()).length;
      await s.remove();
      await b.remove();
      await a.remove();
      removedAll = true;
      // only what is left behind fails the check; what vanished meanwhile is reported
      const diff = await leftBehind(ctx, before);
      const lifecycleOk = connected.length === initial + 1 && addressOnB !== undefined && disconnected === initial;
      return verdict(
        lifecycleOk && diff.added.length === 0,
        {
          pass:
            `connect added an interface (${addressOnB}), disconnect took it away; after removal no host holds a ` +
            `trace`,
          fail: [
            !lifecycleOk && `interfaces: ${initial} → connect ${connected.length} → disconnect ${disconnected}`,
            diff.added.length && `left behind: ${diff.added.slice(0, 8).join('; ')}`,
          ]
            .filter(Boolean)
            .join('; '),
        },
        { interfaces: 'n → n+1 → n', leftBehind: [] },
        {
          interfaces: { initial, connected: connected.length, disconnected },
          leftBehind: diff.added,
          vanished: diff.removed,
        },
      );
    } finally {
      if (!removedAll) {
        await b.remove().catch(() => undefined);
        await a.remove().catch(() => undefined);
      }
    }
  },
});
