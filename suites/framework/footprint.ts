import { readFile } from 'node:fs/promises';
import type { Driver } from '../../drivers/contract.ts';
import { isEngineState } from '../../lab/engine-state.ts';
import type { LabHost } from '../../lab/host.ts';
import { LabFault } from '../../lab/lab-fault.ts';
import { run, type CommandResult } from '../../lab/linux/command.ts';
import { comparableRules, savedRules } from '../../lab/linux/iptables.ts';
import { links, type IpLink } from '../../lab/linux/links.ts';
import { listNetns } from '../../lab/linux/netns.ts';
import { engineNamespaceFiles, execInEngineNamespace, execWithHostTools } from '../../lab/remote/engine-namespaces.ts';
import type { CheckContext } from './context.ts';

/**
 * The host-side veths of Docker's swarm ingress sandbox: made with the first overlay container on a
 * host and kept for the engine's lifetime. Its interfaces name their peers' indexes (`link_index`);
 * the namespace file lives in the engine's private mount namespace under its exec root.
 */
async function ingressVeths(host: LabHost): Promise<Set<number>> {
  const pid = (await readFile(`${host.descriptor.dataDir}/docker.pid`, 'utf8').catch(() => '')).trim();
  if (!pid || !host.descriptor.dataDir) return new Set();
  const sbox = `${host.descriptor.dataDir}/exec/netns/ingress_sbox`;
  const r = await run([
    'nsenter',
    `--target=${pid}`,
    '--mount',
    'nsenter',
    `--net=${sbox}`,
    'ip',
    '-j',
    'link',
    'show',
  ]);
  // no ingress sandbox on this host (no swarm overlay container yet): nothing to set aside
  if (r.exitCode !== 0) return new Set();
  const inside = JSON.parse(r.output || '[]') as { link_index?: number }[];
  return new Set(inside.map((l) => l.link_index).filter((x): x is number => x !== undefined));
}

/**
 * What a network leaves on a host, as comparable lines: links (name and kind) in the host's
 * namespace, its iptables rules and the namespaces named after it. Compared before and after a lifecycle.
 */
export async function hostFootprint(host: LabHost): Promise<string[]> {
  if (!host.onThisMachine) return remoteHostFootprint(host);
  return namespaceFootprint(host.netns, `${host.name}-`, await ingressVeths(host));
}

/** What a command the footprint needs printed, or a lab fault naming the host: never "nothing there". */
function mustRead(host: LabHost, r: CommandResult): string {
  if (r.exitCode !== 0)
    throw new LabFault(
      'footprint',
      `could not read ${host.name}: ${r.command} (exit ${r.exitCode}): ${r.output.trim()}`,
    );
  return r.output;
}

/**
 * A remote host's footprint, read through the run's helper: its links (the helper's `ip`), its
 * iptables rules (the host's own iptables-save, in the engine's namespaces), swarm's ingress veths
 * set aside as on a netns host.
 */
async function remoteHostFootprint(host: LabHost): Promise<string[]> {
  const [linkText, rulesText, files] = await Promise.all([
    host.exec(['ip', '-d', '-j', 'link', 'show']).then((r) => mustRead(host, r)),
    execWithHostTools(host, ['iptables-save']).then((r) => mustRead(host, r)),
    engineNamespaceFiles(host),
  ]);
  const ingress = files.find((f) => f.endsWith('/ingress_sbox'));
  const inside = ingress ? await execInEngineNamespace(host, ingress, ['ip', '-j', 'link', 'show']) : undefined;
  const engineLinks = new Set(
    inside?.exitCode === 0
      ? (JSON.parse(inside.output || '[]') as { link_index?: number }[]).flatMap((l) => l.link_index ?? [])
      : [],
  );
  return footprintLines(JSON.parse(linkText || '[]') as IpLink[], comparableRules(rulesText), [], engineLinks);
}

/**
 * Links and iptables rules of a namespace (undefined = the root one), and the named namespaces
 * starting with `netnsPrefix`. Links whose index is in `engineLinks` are the engine's own. A tool
 * that fails is a lab fault: an unreadable namespace never reads as an empty one.
 */
export async function namespaceFootprint(
  netns: string | undefined,
  netnsPrefix = '',
  engineLinks: Set<number> = new Set(),
): Promise<string[]> {
  let found: [IpLink[], string[]];
  try {
    found = await Promise.all([links(netns), savedRules(netns)]);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new LabFault('footprint', `could not read ${netns ?? 'the root namespace'}: ${why}`, undefined, { cause: e });
  }
  const [linkList, rules] = found;
  const namespaces = (await listNetns()).filter((ns) => ns.startsWith(netnsPrefix));
  return footprintLines(linkList, rules, namespaces, engineLinks);
}

/** Links, rules and namespaces as the sorted lines a footprint compares, the engine's own state left out. */
function footprintLines(linkList: IpLink[], rules: string[], namespaces: string[], engineLinks: Set<number>): string[] {
  const lines: string[] = [];
  for (const l of linkList) {
    if (l.ifindex !== undefined && engineLinks.has(l.ifindex)) continue;
    lines.push(`link ${l.ifname} ${l.linkinfo?.info_kind ?? ''}${l.master ? ` master ${l.master}` : ''}`.trim());
  }
  lines.push(...rules.map((r) => `iptables ${r}`));
  lines.push(...namespaces.map((ns) => `netns ${ns}`));
  return lines.filter((l) => !isEngineState(l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1))).sort();
}

/**
 * Whether the driver's engines keep libnetwork's datastore in the lab's etcd (`/docker/` in v2): the
 * classic overlay's, started with it as their cluster store.
 */
export function keepsEngineStore(driver: Pick<Driver, 'engines'>): boolean {
  return driver.engines === 'restart';
}

/**
 * Whether the driver can keep anything in the lab's etcd at all. Docker's own drivers reach it only
 * through engines started with it as their cluster store (the classic overlay); the swarm overlay,
 * bridge and the rest keep their state in the engines. The reference drivers, plugins and CNI may.
 */
export function mayUseLabStore(driver: Pick<Driver, 'engines' | 'implementation'>): boolean {
  return !driver.implementation.startsWith('docker:') || keepsEngineStore(driver);
}

/** The lab, and the driver whose part of the etcd is read (none: all of it). */
export type KvView = Pick<CheckContext, 'lab'> & Partial<Pick<CheckContext, 'driver'>>;

/**
 * The lab etcd's keys as comparable lines, the driver's part of them: v3 keys under the run's prefix
 * (the reference overlay, its plugins and IPAM) and v2 keys (a plugin may use v2). Keys under
 * `/docker/` in v2 are libnetwork's own datastore, written only by engines started with the lab's
 * etcd as their cluster store: the classic overlay's (`engines: 'restart'`), whose part is those keys
 * alone. Each leaves the other's out: side by side, one's work is never the other's leak. An etcd
 * that does not answer is a lab fault, never "no keys".
 */
export async function kvFootprint(ctx: KvView): Promise<string[]> {
  const kv = ctx.lab.kv();
  // a driver that cannot write there has no part of it: others' keys meanwhile are not its leaks
  if (!kv || (ctx.driver && !mayUseLabStore(ctx.driver.driver))) return [];
  // without a driver (the harness's own before and after), every key
  const ours = (line: string) => !ctx.driver || line.startsWith('kv2 /docker/') === keepsEngineStore(ctx.driver.driver);
  try {
    const [v3, v2] = await Promise.all([kv.list(ctx.lab.descriptor.kv!.prefix), kv.listV2()]);
    const lines = [...v3.map((k) => `kv ${k.key}`), ...v2.map((k) => `kv2 ${k}`)].filter(ours);
    return lines.filter((l) => !isEngineState(l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1))).sort();
  } catch (e) {
    throw new LabFault(
      'lab etcd',
      `the lab's etcd did not answer: ${e instanceof Error ? e.message : String(e)}`,
      undefined,
      {
        cause: e,
      },
    );
  }
}

/** Lines in `after` not in `before`, and lines gone from `before`: both mean the lifecycle left a trace. */
export function footprintDiff(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { added: after.filter((l) => !b.has(l)), removed: before.filter((l) => !a.has(l)) };
}
