import { LabFault } from '../../lab/lab-fault.ts';
import type { CheckContext } from '../framework/context.ts';
import { Scenario } from '../framework/scenario.ts';
import { allVxlanDevices, newVnis, type VxlanDevice } from '../framework/vxlan.ts';

export interface ObservedNetwork {
  scenario: Scenario;
  /** The VNI each host shows for the network (new VXLAN devices since before). */
  perHost: Record<string, number[]>;
  devices: VxlanDevice[];
}

/**
 * Creates an overlay network with a sandbox on every host (so every host carries it) and reads
 * which VNI appeared on each host. Knows nothing of the driver: it diffs the hosts' VXLAN devices.
 */
export async function observeNetwork(
  ctx: CheckContext,
  name: string,
  options?: Record<string, string>,
): Promise<ObservedNetwork> {
  const before = await allVxlanDevices(ctx);
  const scenario = await Scenario.build(ctx, {
    networks: [{ name, ...(options ? { options } : {}) }],
    sandboxes: ctx.lab.hosts.map((_, i) => ({ name: `${name}s${i + 1}`, host: i, network: name })),
  });
  const after = await allVxlanDevices(ctx);
  const perHost = Object.fromEntries(newVnis(before, after, scenario.network(name).id));
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
  return { scenario, perHost, devices: after };
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
