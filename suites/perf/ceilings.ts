import type { StartedLab } from '../../lab/lab.ts';
import { mustRun, run } from '../../lab/linux/command.ts';
import { addNetns, deleteNetns } from '../../lab/linux/netns.ts';
import { runNames } from '../../lab/run-id.ts';
import { plugIntoUnderlay } from '../../lab/underlay.ts';
import type { PerfPair } from './pair.ts';

const exec = (netns: string) => (argv: string[], timeoutMs?: number) => run(argv, { netns, timeoutMs });

function pair(subject: string, client: string, server: string, address: string, namespaces: string[]): PerfPair {
  return {
    subject,
    mode: 'lab',
    placement: 'ceiling',
    client: exec(client),
    server: exec(server),
    address,
    where: client === server ? client : `${client} → ${server}`,
    dispose: async () => {
      for (const ns of namespaces) await deleteNetns(ns);
    },
  };
}

/** The machine's own limits, measured in the same run: loopback in one namespace. */
export async function loopbackCeiling(lab: StartedLab): Promise<PerfPair> {
  const ns = runNames(lab.runId).netns('c-lo');
  await addNetns(ns);
  return pair('loopback-ceiling', ns, ns, '127.0.0.1', [ns]);
}

async function vethBetween(
  a: string,
  b: string,
  ifA: string,
  ifB: string,
  addrA: string,
  addrB: string,
): Promise<void> {
  await addNetns(a);
  await addNetns(b);
  await mustRun(['ip', 'link', 'add', ifA, 'netns', a, 'type', 'veth', 'peer', 'name', ifB, 'netns', b]);
  await mustRun(['ip', 'addr', 'add', `${addrA}/24`, 'dev', ifA], { netns: a });
  await mustRun(['ip', 'addr', 'add', `${addrB}/24`, 'dev', ifB], { netns: b });
  await mustRun(['ip', 'link', 'set', ifA, 'up'], { netns: a });
  await mustRun(['ip', 'link', 'set', ifB, 'up'], { netns: b });
}

/** One end of a raw VXLAN tunnel: `vx0` (inner MTU 1450, address `inner`/24) over `dev` in `ns`. */
async function vxlanEnd(ns: string, vni: number, local: string, remote: string, dev: string, inner: string) {
  const vxlan = ['type', 'vxlan', 'id', String(vni), 'dstport', '4789', 'local', local, 'remote', remote, 'dev', dev];
  await mustRun(['ip', 'link', 'add', 'vx0', ...vxlan], { netns: ns });
  await mustRun(['ip', 'link', 'set', 'vx0', 'mtu', '1450', 'up'], { netns: ns });
  await mustRun(['ip', 'addr', 'add', `${inner}/24`, 'dev', 'vx0'], { netns: ns });
}

/** A raw veth pair between two namespaces: what a bridge network can at best reach. */
export async function vethCeiling(lab: StartedLab): Promise<PerfPair> {
  const n = runNames(lab.runId);
  const [a, b] = [n.netns('c-va'), n.netns('c-vb')];
  await vethBetween(a, b, 'v0', 'v0', '10.250.1.1', '10.250.1.2');
  return pair('veth-ceiling', a, b, '10.250.1.2', [a, b]);
}

/** Raw VXLAN (inner MTU 1450) over a veth underlay between two namespaces: what an overlay can at best reach. */
export async function vxlanCeiling(lab: StartedLab): Promise<PerfPair> {
  const n = runNames(lab.runId);
  const [a, b] = [n.netns('c-xa'), n.netns('c-xb')];
  await vethBetween(a, b, 'u0', 'u0', '10.250.2.1', '10.250.2.2');
  for (const [ns, local, remote, inner] of [
    [a, '10.250.2.1', '10.250.2.2', '10.251.2.1'],
    [b, '10.250.2.2', '10.250.2.1', '10.251.2.2'],
  ] as const) {
    await vxlanEnd(ns, 42, local, remote, 'u0', inner);
  }
  return pair('vxlan-ceiling', a, b, '10.251.2.2', [a, b]);
}

/**
 * Raw VXLAN between two namespaces plugged into the lab's underlay switch, as the lab hosts are:
 * the path an overlay's packets take across hosts, without the overlay. Beside the vxlan ceiling it
 * splits what the lab's underlay costs from what the driver costs.
 */
export async function vxlanLabCeiling(lab: StartedLab): Promise<PerfPair> {
  if (!lab.underlay) throw new Error('the vxlan-lab ceiling needs the netns lab underlay');
  const n = runNames(lab.runId);
  const [a, b] = [n.netns('c-la'), n.netns('c-lb')];
  const ends = [
    [a, 'cla', '198.18.0.240', '198.18.0.241', '10.251.3.1'],
    [b, 'clb', '198.18.0.241', '198.18.0.240', '10.251.3.2'],
  ] as const;
  for (const [ns, role, local, remote, inner] of ends) {
    await addNetns(ns);
    await plugIntoUnderlay(lab.runId, lab.underlay.netns, role, ns, local);
    await vxlanEnd(ns, 43, local, remote, 'eth0', inner);
  }
  return pair('vxlan-lab-ceiling', a, b, '10.251.3.2', [a, b]);
}

export const CEILINGS = {
  loopback: loopbackCeiling,
  veth: vethCeiling,
  vxlan: vxlanCeiling,
  'vxlan-lab': vxlanLabCeiling,
} as const;
export type CeilingName = keyof typeof CEILINGS;
