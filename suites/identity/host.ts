import { sleep } from '../../lab/wait.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { hostInterfaces, interfaceDifferences, sandboxInterfaces } from '../framework/interfaces.ts';
import { Scenario } from '../framework/scenario.ts';

/** Reads of both views before a difference counts. */
const READS = 5;

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
    // the two views are read at the same moment, and again when they differ: an engine still adding
    // or removing a container's veth on the host (its own pace) differs once; a sandbox with a stack
    // of its own differs every time
    let inSandbox: Awaited<ReturnType<typeof sandboxInterfaces>> = [];
    let onHost: Awaited<ReturnType<typeof hostInterfaces>> = [];
    let diffs: string[] = [];
    for (let attempt = 0; attempt < READS; attempt++) {
      if (attempt) await sleep(300, ctx.signal);
      [inSandbox, onHost] = await Promise.all([
        sandboxInterfaces(ctx, scenario.sandbox('hs')),
        hostInterfaces(ctx, host),
      ]);
      diffs = interfaceDifferences(inSandbox, onHost, ['sandbox', `host ${host.name}`]);
      if (!diffs.length) break;
    }
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
