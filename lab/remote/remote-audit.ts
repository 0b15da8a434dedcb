import { auditBetween, type Audit, type Snapshot } from '../audit.ts';
import type { LabHost } from '../host.ts';
import { comparableRules } from '../linux/iptables.ts';
import type { IpLink } from '../linux/links.ts';
import { LABEL_RUN } from '../run-id.ts';
import { execWithHostTools } from './engine-namespaces.ts';
import { swarmItems, swarmMembership } from './swarm-membership.ts';

async function output(host: LabHost, run: Promise<{ exitCode: number; output: string; command: string }>) {
  const r = await run;
  if (r.exitCode !== 0) throw new Error(`${host.name}: ${r.command} (exit ${r.exitCode}): ${r.output.trim()}`);
  return r.output;
}

/**
 * What a remote host holds of the kinds a run could leak there, in the machine audit's shape:
 * containers, networks and volumes through its engine's API; links, iptables rules and named
 * namespaces through the run's helper. (Mounts, processes, files and cgroups of a remote host are
 * not read: what the harness makes there is Docker's objects and what drivers make in the kernel.)
 */
export async function remoteSnapshot(host: LabHost, apiOnly = false): Promise<Snapshot> {
  const kernel: [string, string, string, string] = apiOnly
    ? ['[]', '', '', '']
    : await Promise.all([
        output(host, host.exec(['ip', '-d', '-j', 'link', 'show'])),
        output(host, execWithHostTools(host, ['iptables-save'])),
        execWithHostTools(host, ['ip6tables-save']).then((r) => (r.exitCode === 0 ? r.output : '')),
        execWithHostTools(host, ['ls', '-1', '/run/netns']).then((r) => (r.exitCode === 0 ? r.output : '')),
      ]);
  const [linkText, v4, v6, netns] = kernel;
  const [containers, networks, volumes] = await Promise.all([
    host.docker.listContainers({ all: true }),
    host.docker.listNetworks(),
    host.docker.listVolumes().then((v) => v.Volumes ?? []),
  ]);
  const runLabels: Record<string, string> = {};
  const named = (name: string, labels: Record<string, string> | null | undefined) => {
    if (labels?.[LABEL_RUN]) runLabels[name] = labels[LABEL_RUN];
    return name;
  };
  const linkList = JSON.parse(linkText || '[]') as IpLink[];
  return {
    items: {
      netns: netns.split('\n').filter(Boolean),
      link: linkList.map((l) => l.ifname),
      mount: [],
      process: [],
      file: [],
      cgroup: [],
      iptables: [
        ...comparableRules(v4).map((l) => `iptables-save: ${l}`),
        ...comparableRules(v6).map((l) => `ip6tables-save: ${l}`),
      ],
      container: containers.map((c) => named(`${c.Names[0] ?? ''} ${c.Id.slice(0, 12)}`, c.Labels)),
      network: networks.map((n) => named(`${n.Name} ${n.Id.slice(0, 12)}`, n.Labels)),
      volume: volumes.map((v) => named(v.Name, v.Labels)),
      'plugin-file': [],
      swarm: [],
    },
    runLabels,
    masters: Object.fromEntries(linkList.filter((l) => l.master).map((l) => [l.ifname, l.master!])),
  };
}

export type RemoteSnapshots = Map<string, Snapshot | Error>;

/**
 * Every remote host's snapshot, or why one could not be taken (never "nothing there"). `apiOnly`:
 * the engine's objects alone (a local lab's engine found elsewhere than the machine's socket, whose
 * kernel state the machine's own snapshot already covers).
 */
export async function remoteSnapshots(hosts: LabHost[], apiOnly = false, runId?: string): Promise<RemoteSnapshots> {
  const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
  const taken = await Promise.all(hosts.map((h) => remoteSnapshot(h, apiOnly).catch(asError)));
  // a swarm is the hosts' together: who made it is read across them (swarm-membership.ts)
  const memberships = await Promise.all(hosts.map((h) => swarmMembership(h.docker).catch(asError)));
  const swarm = swarmItems(
    hosts,
    memberships.map((m) => (m instanceof Error ? undefined : m)),
    runId,
  );
  return new Map(
    hosts.map((h, i): [string, Snapshot | Error] => {
      const snap = taken[i]!;
      const membership = memberships[i]!;
      if (snap instanceof Error) return [h.name, snap];
      if (membership instanceof Error) return [h.name, new Error(`${h.name}: its swarm state: ${membership.message}`)];
      const withSwarm: Snapshot = {
        ...snap,
        items: { ...snap.items, swarm: swarm.items[i]! },
        runLabels: { ...snap.runLabels, ...swarm.runLabels[i] },
      };
      return [h.name, withSwarm];
    }),
  );
}

/**
 * Each remote host's audit between the snapshot after the lab came up and the one after the work,
 * by the same rules as the machine's (the run's label or id, its networks' bridges), its items named
 * by host. Throws, naming the host, when a snapshot is missing.
 */
export async function remoteAudit(before: RemoteSnapshots, after: RemoteSnapshots, runId: string): Promise<Audit> {
  const audit: Audit = { leaks: [], foreign: [] };
  for (const [host, b] of before) {
    const a = after.get(host);
    const broken = [b, a].find((s): s is Error => s instanceof Error);
    if (broken || !a) throw new Error(`could not read ${host}: ${broken?.message ?? 'no snapshot after the run'}`);
    const one = await auditBetween(b as Snapshot, a as Snapshot, runId);
    audit.leaks.push(...one.leaks.map((l) => ({ ...l, item: `${host}: ${l.item}` })));
    audit.foreign.push(...one.foreign.map((f) => ({ ...f, item: `${host}: ${f.item}` })));
  }
  return audit;
}
