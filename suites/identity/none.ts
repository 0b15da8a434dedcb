import { defineCheck, verdict } from '../framework/check.ts';
import { sandboxInterfaces } from '../framework/interfaces.ts';
import { Scenario } from '../framework/scenario.ts';

/** none mode: only `lo`, up, and no route at all in the main table. */
export default defineCheck({
  id: 'identity/none',
  title: 'A none-mode sandbox has only loopback, up, and no routes',
  requires: { modes: ['none'] },
  async run(ctx) {
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'none' }],
      sandboxes: [{ name: 'n', network: 'none' }],
    });
    const n = scenario.sandbox('n');
    const interfaces = await sandboxInterfaces(ctx, n);
    const routes = ctx.record(n.host.name, await n.exec(['ip', '-j', 'route', 'show']));
    const routeList = JSON.parse(routes.output || '[]') as unknown[];
    const onlyLo = interfaces.length === 1 && interfaces[0]!.name === 'lo' && interfaces[0]!.up;
    return verdict(
      onlyLo && routeList.length === 0,
      {
        pass: 'only lo (up), no routes',
        fail: [
          !onlyLo && `interfaces: ${interfaces.map((i) => `${i.name}${i.up ? '' : ' (down)'}`).join(', ')}`,
          routeList.length && `routes: ${JSON.stringify(routeList)}`,
        ]
          .filter(Boolean)
          .join('; '),
      },
      { interfaces: ['lo (up)'], routes: [] },
      { interfaces, routes: routeList },
    );
  },
});
