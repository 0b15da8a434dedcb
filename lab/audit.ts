import Dockerode from 'dockerode';
import { readFile, readdir } from 'node:fs/promises';
import { isEngineState } from './engine-state.ts';
import { findCgroups } from './linux/cgroups.ts';
import { savedRules } from './linux/iptables.ts';
import { links } from './linux/links.ts';
import { listNetns } from './linux/netns.ts';
import { listProcesses } from './linux/processes.ts';
import { LOCAL_DOCKER_SOCKET } from './reaper.ts';
import { DATA_DIR, PREFIX, STATE_DIR, runIdOf } from './run-id.ts';
import { isProcessAlive, readRunStates } from './run-state.ts';

/** What the machine holds of the kinds a run could leak, as comparable strings. */
export type Snapshot = Record<LeakKind, string[]>;
export type LeakKind =
  'netns' | 'link' | 'mount' | 'process' | 'file' | 'cgroup' | 'iptables' | 'container' | 'network' | 'volume';

export interface Leak {
  kind: LeakKind;
  item: string;
}

async function iptablesRules(): Promise<string[]> {
  const tools = ['iptables-save', 'ip6tables-save'] as const;
  const lists = await Promise.all(
    tools.map(async (tool) => (await savedRules(undefined, tool)).map((l) => `${tool}: ${l}`)),
  );
  return lists.flat();
}

async function mounts(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4]!);
}

async function dirEntries(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).map((e) => `${dir}/${e}`);
}

async function dockerObjects(): Promise<Pick<Snapshot, 'container' | 'network' | 'volume'>> {
  const docker = new Dockerode({ socketPath: LOCAL_DOCKER_SOCKET });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true }).catch(() => []),
    docker.listNetworks().catch(() => []),
    docker.listVolumes().then(
      (v) => v.Volumes ?? [],
      () => [],
    ),
  ]);
  return {
    container: containers.map((c) => `${c.Names[0] ?? ''} ${c.Id.slice(0, 12)}`),
    network: networks.map((n) => `${n.Name} ${n.Id.slice(0, 12)}`),
    volume: volumes.map((v) => v.Name),
  };
}

export async function snapshot(): Promise<Snapshot> {
  const [netns, linkList, mountList, procs, files, cgroups, iptables, docker] = await Promise.all([
    listNetns(),
    links().catch(() => []),
    mounts(),
    listProcesses(),
    Promise.all([dirEntries(DATA_DIR), dirEntries(STATE_DIR)]).then((l) => l.flat()),
    findCgroups((n) => n.startsWith(`${PREFIX}-`)),
    iptablesRules(),
    dockerObjects(),
  ]);
  return {
    netns,
    link: linkList.map((l) => l.ifname),
    mount: mountList,
    process: procs
      .filter((p) => p.cmdline.includes(`${DATA_DIR}/`) || p.cmdline.includes(`/run/netns/${PREFIX}-`))
      .map((p) => p.cmdline),
    file: files,
    cgroup: cgroups,
    iptables,
    ...docker,
  };
}

/**
 * What `after` holds that `before` did not. Objects of other runs that are still alive (a test's
 * own lab running beside a CLI run) are theirs, not leaks.
 */
export async function leaksBetween(before: Snapshot, after: Snapshot, ownRunId?: string): Promise<Leak[]> {
  const alive = new Set(
    (await readRunStates())
      .filter((s) => s.runId !== ownRunId && (s.persistent || isProcessAlive(s.pid)))
      .map((s) => s.runId),
  );
  const leaks: Leak[] = [];
  for (const kind of Object.keys(after) as LeakKind[]) {
    const had = new Set(before[kind]);
    for (const item of after[kind]) {
      if (had.has(item)) continue;
      if (isEngineState(kind, item)) continue;
      const owner = runIdOf(item);
      if (owner && alive.has(owner)) continue;
      leaks.push({ kind, item });
    }
  }
  return leaks;
}
