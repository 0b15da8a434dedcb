import type Dockerode from 'dockerode';
import type { LabHost } from '../host.ts';
import { LABEL_RUN } from '../run-id.ts';

/** Where an engine stands in a swarm, as its own /info and (for a manager) the swarm's spec say. */
export interface SwarmMembership {
  state: string;
  nodeId: string;
  manager: boolean;
  /** `address:port` of the managers a worker follows. */
  managers: string[];
  /** The run a swarm was made by (its spec carries the run's label), when a manager can tell. */
  runId?: string;
}

export async function swarmMembership(docker: Dockerode): Promise<SwarmMembership> {
  const info = (await docker.info()) as {
    Swarm?: {
      LocalNodeState?: string;
      NodeID?: string;
      ControlAvailable?: boolean;
      RemoteManagers?: { Addr: string }[];
    };
  };
  const s = info.Swarm ?? {};
  const membership: SwarmMembership = {
    state: s.LocalNodeState || 'unknown',
    nodeId: s.NodeID ?? '',
    manager: s.ControlAvailable === true,
    managers: (s.RemoteManagers ?? []).map((m) => m.Addr),
  };
  if (!membership.manager) return membership;
  const spec = (await docker.swarmInspect().catch(() => undefined)) as { Spec?: { Labels?: Record<string, string> } };
  const runId = spec?.Spec?.Labels?.[LABEL_RUN];
  return runId ? { ...membership, runId } : membership;
}

/**
 * The leak audit's view of the hosts' swarms: an item per host in one (`swarm <role> <node> <state>`),
 * owned by the run that made it — the label on the swarm a manager reports, or for a worker the run
 * that made the swarm of the lab's host it follows; a worker whose manager is one of the lab's hosts
 * but no longer knows of a swarm (it left, the worker did not) is `runId`'s: the swarm was formed
 * among this lab's hosts after the first snapshot, and only the run forms swarms there.
 */
export function swarmItems(
  hosts: LabHost[],
  memberships: (SwarmMembership | undefined)[],
  runId: string | undefined,
): { items: string[][]; runLabels: Record<string, string>[] } {
  const byAddress = new Map<string, SwarmMembership | undefined>();
  hosts.forEach((h, i) => {
    if (h.descriptor.underlayAddress) byAddress.set(h.descriptor.underlayAddress, memberships[i]);
  });
  const items: string[][] = [];
  const runLabels: Record<string, string>[] = [];
  memberships.forEach((m) => {
    const labels: Record<string, string> = {};
    if (!m || m.state === 'inactive') {
      items.push([]);
      runLabels.push(labels);
      return;
    }
    const item = `swarm ${m.manager ? 'manager' : 'worker'} ${m.nodeId.slice(0, 12)} ${m.state}`;
    let owner = m.runId;
    for (const addr of m.managers) {
      if (owner) break;
      const host = addr.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      if (!byAddress.has(host)) continue;
      const lead = byAddress.get(host);
      owner = lead?.runId ?? (lead?.state === 'inactive' ? runId : undefined);
    }
    if (owner) labels[item] = owner;
    items.push([item]);
    runLabels.push(labels);
  });
  return { items, runLabels };
}
