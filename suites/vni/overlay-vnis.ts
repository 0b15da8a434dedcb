import { LabFault } from '../../lab/lab-fault.ts';
import type { CheckContext } from '../framework/context.ts';
import { vxlanBehind } from '../framework/network-vni.ts';
import { Scenario } from '../framework/scenario.ts';
import { allVxlanDevices, newVnis } from '../framework/vxlan.ts';

export interface ObservedNetwork {
  scenario: Scenario;
  /** The VNI each host shows for the network. */
  perHost: Record<string, number[]>;
  /** How each host's VNIs were found: on the bridge its sandbox is plugged into, or as new devices since before. */
  foundBy: Record<string, 'bridge' | 'new devices'>;
}

/**
 * Creates an overlay network with a sandbox on every host (so every host carries it) and reads which
 * VNI carries it on each host. Knows nothing of the driver: it follows each sandbox's link to the
 * VXLAN devices on its bridge (network-vni.ts), and where a driver is built otherwise, diffs the
 * hosts' VXLAN devices — which only tells this network's from others' with no other overlay work on
 * the hosts: beside other checks (`othersBeside`), that is an error and the check is run again alone.
 */
export async function observeNetwork(
  ctx: CheckContext,
  name: string,
  options?: Record<string, string>,
): Promise<ObservedNetwork> {
  // the devices before are only for the diff, which beside others is not taken
  const before = ctx.settings.othersBeside ? [] : await allVxlanDevices(ctx);
  const scenario = await Scenario.build(ctx, {
    networks: [{ name, ...(options ? { options } : {}) }],
    sandboxes: ctx.lab.hosts.map((_, i) => ({ name: `${name}s${i + 1}`, host: i, network: name })),
  });
  const behind = await Promise.all(
    scenario
      .sandboxNames()
      .map((s) => vxlanBehind(ctx, scenario.sandbox(s), scenario.addressOf(s, name)).then((v) => [s, v] as const)),
  );
  const perHost: Record<string, number[]> = {};
  const foundBy: ObservedNetwork['foundBy'] = {};
  for (const [s, v] of behind) {
    if (!v) continue;
    const host = scenario.sandbox(s).host.name;
    perHost[host] = [...new Set(v.devices.map((d) => d.vni))].sort((a, b) => a - b);
    foundBy[host] = 'bridge';
  }
  const unfollowed = ctx.lab.hosts.filter((h) => !foundBy[h.name]);
  if (unfollowed.length) {
    if (ctx.settings.othersBeside)
      throw new LabFault(
        'VXLAN observation beside other checks',
        `the link of network ${name} on ${unfollowed.map((h) => h.name).join(', ')} leads to no bridge with a ` +
          'VXLAN device, and new devices on a host can be any overlay network while other checks run: ' +
          'looked at again with the VXLAN devices to itself',
      );
    const diff = newVnis(before, await allVxlanDevices(ctx), scenario.network(name).id);
    for (const h of unfollowed) {
      const vnis = diff.get(h.name);
      if (vnis) [perHost[h.name], foundBy[h.name]] = [vnis, 'new devices'];
    }
  }
  // a remote host is seen through a helper: a device it did not show is one the harness could not
  // see (a namespace it does not know of), not proof that the driver made none
  const unseen = ctx.lab.hosts.filter((h) => !h.onThisMachine && !perHost[h.name]);
  if (unseen.length)
    throw new LabFault(
      'VXLAN observation on remote hosts',
      `no VXLAN device of network ${name} was seen on ${unseen.map((h) => h.name).join(', ')} (looked in the ` +
        "host's namespace, the engine's network namespaces and named namespaces sending from the host's " +
        'address): the VNI there is unknown',
    );
  return { scenario, perHost, foundBy };
}

/** The single VNI all hosts agree on, or undefined when they do not. */
export function agreedVni(perHost: Record<string, number[]>, hosts: number): number | undefined {
  const lists = Object.values(perHost);
  if (lists.length !== hosts || lists.some((l) => l.length !== 1)) return undefined;
  const vnis = new Set(lists.map((l) => l[0]!));
  return vnis.size === 1 ? [...vnis][0] : undefined;
}

/** Removes a scenario's sandboxes and network now (not at the end of the check). */
export async function removeNow(o: ObservedNetwork, name: string): Promise<void> {
  for (const s of o.scenario.sandboxNames()) await o.scenario.sandbox(s).remove();
  await o.scenario.network(name).remove();
}
