import Dockerode from 'dockerode';
import { readFile, readdir } from 'node:fs/promises';
import { isEngineState } from './engine-state.ts';
import { PLUGIN_PATHS } from './host-view.ts';
import { findCgroups } from './linux/cgroups.ts';
import { savedRules } from './linux/iptables.ts';
import { links } from './linux/links.ts';
import { listNetns } from './linux/netns.ts';
import { listProcesses } from './linux/processes.ts';
import { LOCAL_DOCKER_SOCKET } from './reaper.ts';
import { DATA_DIR, LABEL_RUN, PREFIX, STATE_DIR, runIdOf } from './run-id.ts';
import { isProcessAlive, readRunStates } from './run-state.ts';

/** What the machine holds of the kinds a run could leak, as comparable strings, with what says whose each is. */
export interface Snapshot {
  items: Record<LeakKind, string[]>;
  /** Docker objects (`name id12`) and the run label they carry, when they carry one. */
  runLabels: Record<string, string>;
  /** Links and the bridge they are enslaved to: a container's veth on a run's network is the run's. */
  masters: Record<string, string>;
}

export type LeakKind =
  | 'netns'
  | 'link'
  | 'mount'
  | 'process'
  | 'file'
  | 'cgroup'
  | 'iptables'
  | 'container'
  | 'network'
  | 'volume'
  | 'plugin-file'
  /** A remote host's place in a swarm (remote labs only). */
  | 'swarm';

export interface Leak {
  kind: LeakKind;
  item: string;
}

/** A change on the machine during the run that was not the run's: listed, never blamed. */
export interface ForeignChange extends Leak {
  change: 'added' | 'removed';
}

export interface Audit {
  /** What the run made and left behind. */
  leaks: Leak[];
  /** What others (another job, the user) changed meanwhile. */
  foreign: ForeignChange[];
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

/**
 * The machine's own plugin directories (each, when it exists, and what is in it): a lab plugin that
 * writes there escaped its host's view, and the machine's engine could pick it up.
 */
async function machinePluginFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const dir of Object.values(PLUGIN_PATHS)) {
    const entries = await readdir(dir).catch(() => undefined);
    if (entries) out.push(`${dir}/`, ...entries.map((e) => `${dir}/${e}`));
  }
  return out;
}

async function dockerObjects(): Promise<{
  items: Pick<Snapshot['items'], 'container' | 'network' | 'volume'>;
  runLabels: Record<string, string>;
}> {
  const docker = new Dockerode({ socketPath: LOCAL_DOCKER_SOCKET });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true }).catch(() => []),
    docker.listNetworks().catch(() => []),
    docker.listVolumes().then(
      (v) => v.Volumes ?? [],
      () => [],
    ),
  ]);
  const runLabels: Record<string, string> = {};
  const named = (name: string, labels: Record<string, string> | undefined) => {
    if (labels?.[LABEL_RUN]) runLabels[name] = labels[LABEL_RUN];
    return name;
  };
  return {
    items: {
      container: containers.map((c) => named(`${c.Names[0] ?? ''} ${c.Id.slice(0, 12)}`, c.Labels)),
      network: networks.map((n) => named(`${n.Name} ${n.Id.slice(0, 12)}`, n.Labels)),
      volume: volumes.map((v) => named(v.Name, v.Labels ?? undefined)),
    },
    runLabels,
  };
}

export async function snapshot(): Promise<Snapshot> {
  const [netns, linkList, mountList, procs, files, cgroups, iptables, docker, pluginFiles] = await Promise.all([
    listNetns(),
    links(),
    mounts(),
    listProcesses(),
    Promise.all([dirEntries(DATA_DIR), dirEntries(STATE_DIR)]).then((l) => l.flat()),
    findCgroups((n) => n.startsWith(`${PREFIX}-`)),
    iptablesRules(),
    dockerObjects(),
    machinePluginFiles(),
  ]);
  return {
    items: {
      netns,
      link: linkList.map((l) => l.ifname),
      mount: mountList,
      process: procs
        .filter((p) => p.cmdline.includes(`${DATA_DIR}/`) || p.cmdline.includes(`/run/netns/${PREFIX}-`))
        .map((p) => p.cmdline),
      file: files,
      cgroup: cgroups,
      iptables,
      ...docker.items,
      'plugin-file': pluginFiles,
      swarm: [],
    },
    runLabels: docker.runLabels,
    masters: Object.fromEntries(linkList.filter((l) => l.master).map((l) => [l.ifname, l.master!])),
  };
}

/**
 * Whose an object is: the run id in its name, path or command line, the run label on a Docker
 * object, or — for links and rules — the bridge of a Docker network a run made (`br-<id>`), which
 * its containers' veths are enslaved to and its rules name; and links a check saw the run's driver
 * leave behind.
 */
function ownerOf(
  kind: LeakKind,
  item: string,
  snap: Snapshot,
  bridges: Map<string, string>,
  madeBy: Map<string, string>,
  plugins: Map<string, string>,
): string | undefined {
  const labelled = snap.runLabels[item];
  if (labelled) return labelled;
  const named = runIdOf(item);
  if (named) return named;
  if (kind === 'link') return bridges.get(item) ?? bridges.get(snap.masters[item] ?? '') ?? madeBy.get(item);
  if (kind === 'iptables') for (const [bridge, run] of bridges) if (item.includes(bridge)) return run;
  // NAME.sock, NAME.spec, NAME.json of a plugin the run launched, or a directory it made for one
  if (kind === 'plugin-file') return plugins.get(/([^/]+)\.(sock|spec|json)$/.exec(item)?.[1] ?? '');
  return undefined;
}

/** `br-<first 12 of the id>` of every Docker network that carries a run label, to its run. */
function runBridges(...snaps: Snapshot[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const snap of snaps)
    for (const item of snap.items.network) {
      const run = snap.runLabels[item];
      if (run) out.set(`br-${item.split(' ').at(-1)}`, run);
    }
  return out;
}

/**
 * What `after` holds that `before` did not, and whose it is. The run's own objects (by name, label,
 * path, or the bridge of one of its networks) are leaks; objects of other runs still alive are
 * theirs; everything else that appeared or went meanwhile — another job's namespace, a user's
 * container, a rule someone added — is listed as foreign, never blamed on the run. Without
 * `ownRunId` (a test's view) any dead run's objects are leaks.
 */
export async function auditBetween(
  before: Snapshot,
  after: Snapshot,
  ownRunId?: string,
  /** Links the run's checks saw its drivers make and leave (a plugin serving the machine's engine). */
  madeByRun: string[] = [],
  /** Names of the plugins the run launched: their files in the machine's plugin directories are escapes. */
  launchedPlugins: string[] = [],
): Promise<Audit> {
  const madeBy = new Map(madeByRun.map((l) => [l, ownRunId ?? '']));
  const plugins = new Map(launchedPlugins.map((p) => [p, ownRunId ?? '']));
  const states = await readRunStates();
  const alive = new Set(
    states.filter((s) => s.runId !== ownRunId && (s.persistent || isProcessAlive(s.pid))).map((s) => s.runId),
  );
  const bridges = runBridges(before, after);
  const audit: Audit = { leaks: [], foreign: [] };
  for (const kind of Object.keys(after.items) as LeakKind[]) {
    const had = new Set(before.items[kind]);
    const has = new Set(after.items[kind]);
    for (const item of after.items[kind]) {
      if (had.has(item) || isEngineState(kind, item)) continue;
      const owner = ownerOf(kind, item, after, bridges, madeBy, plugins);
      if (owner && alive.has(owner)) continue;
      if (owner !== undefined && (ownRunId === undefined || owner === ownRunId)) audit.leaks.push({ kind, item });
      else audit.foreign.push({ kind, item, change: 'added' });
    }
    for (const item of before.items[kind]) {
      if (has.has(item) || isEngineState(kind, item)) continue;
      const owner = ownerOf(kind, item, before, bridges, madeBy, plugins);
      // what the run itself removed (its own objects) is no news; anything else that went is
      if (!owner) audit.foreign.push({ kind, item, change: 'removed' });
    }
  }
  return audit;
}

/** The run's leaks only (see auditBetween). */
export async function leaksBetween(before: Snapshot, after: Snapshot, ownRunId?: string): Promise<Leak[]> {
  return (await auditBetween(before, after, ownRunId)).leaks;
}
