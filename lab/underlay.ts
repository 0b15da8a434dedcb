import { addAddress, addBridge, addVethBetween, setMaster } from './linux/links.ts';
import { addNetns } from './linux/netns.ts';
import { startProbeServers } from './probe-servers.ts';
import { runNames } from './run-id.ts';

/**
 * The lab's switch: a Linux bridge in a namespace of its own, joining the hosts and the outside
 * peer. It has no link to any real interface and no route out, so lab traffic cannot leave.
 * 198.18.0.0/15 is the range reserved for benchmarking network devices (RFC 2544).
 */
export const UNDERLAY_SUBNET = '198.18.0.0/24';
export const UNDERLAY_PREFIX = 24;
const SWITCH = 'sw0';

export function hostUnderlayAddress(index: number): string {
  return `198.18.0.${10 + index}`;
}

export const OUTSIDE_ADDRESS = '198.18.0.254';

export interface UnderlayDescriptor {
  netns: string;
  subnet: string;
  outside: { netns: string; address: string };
}

export class Underlay {
  private constructor(
    readonly descriptor: UnderlayDescriptor,
    private readonly runId: string,
  ) {}

  static async up(runId: string): Promise<Underlay> {
    const n = runNames(runId);
    const netns = n.netns('ul');
    await addNetns(netns);
    await addBridge(netns, SWITCH);
    const underlay = new Underlay(
      { netns, subnet: UNDERLAY_SUBNET, outside: { netns: n.netns('out'), address: OUTSIDE_ADDRESS } },
      runId,
    );
    await addNetns(underlay.descriptor.outside.netns);
    await underlay.plug('out', underlay.descriptor.outside.netns, OUTSIDE_ADDRESS);
    await startProbeServers(underlay.descriptor.outside.netns);
    return underlay;
  }

  /** The underlay of a lab that is up (to plug more hosts into it). */
  static attach(runId: string, descriptor: UnderlayDescriptor): Underlay {
    return new Underlay(descriptor, runId);
  }

  /** Connects a namespace to the switch as `eth0` with `address`. */
  async plug(role: string, netns: string, address: string): Promise<void> {
    await plugIntoUnderlay(this.runId, this.descriptor.netns, role, netns, address);
  }
}

/** Connects `netns` to the run's underlay switch as `eth0` with `address` (the switch side is named `role`). */
export async function plugIntoUnderlay(
  runId: string,
  underlayNetns: string,
  role: string,
  netns: string,
  address: string,
): Promise<void> {
  await addVethBetween(runNames(runId).link(`t${role}`), { netns, name: 'eth0' }, { netns: underlayNetns, name: role });
  await setMaster(underlayNetns, role, SWITCH);
  await addAddress(netns, 'eth0', `${address}/${UNDERLAY_PREFIX}`);
}
