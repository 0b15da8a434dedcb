import { defineCheck, verdict } from '../framework/check.ts';
import { hostInterfaces, interfaceDifferences, sandboxInterfaces } from '../framework/interfaces.ts';
import { Scenario } from '../framework/scenario.ts';

/** host mode: the sandbox sees exactly the host's interfaces and addresses. */
export default defineCheck({
  id: 'identity/host',
  title: "A host-mode sandbox has the host's interfaces and addresses",
  // the host's interfaces are compared whole: another driver's veth appearing meanwhile is not the sandbox's
  readsWhole: ['host-state'],
  requires: { modes: ['host'] },
  async run(ctx) {
    const host = ctx.lab.hosts[0]!;
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'host' }],
      sandboxes: [{ name: 'hs', network: 'host' }],
    });
    const inSandbox = await sandboxInterfaces(ctx, scenario.sandbox('hs'));
    const onHost = await hostInterfaces(ctx, host);
    const diffs = interfaceDifferences(inSandbox, onHost, ['sandbox', `host ${host.name}`]);
    return verdict(
      diffs.length === 0 && inSandbox.length > 1,
      {
        pass: `same ${onHost.length} interfaces and addresses as host ${host.name}`,
        fail: diffs.join('; ') || 'the sandbox sees only loopback',
      },
      { interfaces: onHost },
      { interfaces: inSandbox },
    );
  },
});
