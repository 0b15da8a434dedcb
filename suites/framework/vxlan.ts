import { readdir, readFile } from 'node:fs/promises';
import type { LabHost } from '../../lab/host.ts';
import { runDump, type CommandResult } from '../../lab/linux/command.ts';
import { listNetns } from '../../lab/linux/netns.ts';
import {
  engineNamespaceFiles,
  execInEngineNamespace,
  inEveryBoundNamespace,
} from '../../lab/remote/engine-namespaces.ts';
import type { CheckContext } from './context.ts';

export interface VxlanDevice {
  host: string;
  /** Where the device lives: the host namespace, or a namespace Docker made for an overlay network. */
  where: string;
  name: string;
  vni: number;
  port?: number;
}

interface IpVxlan {
  ifname: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number; local?: string } };
}

async function devicesIn(
  ctx: CheckContext,
  host: LabHost,
  where: string,
  argv: string[] | (() => Promise<CommandResult>),
  recordFailure = true,
  /** Only devices that send from this address (a namespace any host could hold). */
  sendingFrom?: string,
): Promise<VxlanDevice[]> {
  const r = Array.isArray(argv) ? await runDump(argv) : await argv();
  // Docker leaves namespace files of deleted networks behind, unmounted: entering one fails, and says nothing
  if (r.exitCode !== 0 && !recordFailure) return [];
  ctx.record(host.name, r);
  if (r.exitCode !== 0) return [];
  let links: IpVxlan[];
  try {
    links = JSON.parse(r.output || '[]') as IpVxlan[];
  } catch (e) {
    // a namespace that went away while it was listed; the host's own must list
    if (!recordFailure) return [];
    throw new Error(`${r.command}: not a listing (${(e as Error).message})`, { cause: e });
  }
  return links
    .filter((l) => l.linkinfo?.info_kind === 'vxlan' && l.linkinfo.info_data?.id !== undefined)
    .filter((l) => sendingFrom === undefined || l.linkinfo!.info_data!.local === sendingFrom)
    .map((l) => ({
      host: host.name,
      where,
      name: l.ifname,
      vni: l.linkinfo!.info_data!.id!,
      ...(l.linkinfo!.info_data!.port ? { port: l.linkinfo!.info_data!.port } : {}),
    }));
}

/** A network namespace on a lab host on this machine, and how to run a command in it. */
export interface HostNamespace {
  /** 'host', `netns:<name>` (one the harness or a plugin named) or Docker's `1-<network id>` file. */
  where: string;
  argv: (command: string[]) => string[];
  /** Its files may be left behind unmounted (Docker's), where entering one fails and says nothing. */
  mayBeGone: boolean;
}

/**
 * The namespaces of a lab host on this machine where network devices may live: its own, the named
 * ones the harness made on it (the reference overlay keeps one per network), and the ones Docker keeps
 * for overlay networks under its exec root (`<exec-root>/netns/1-<network id>`).
 */
export async function hostNamespaces(host: LabHost): Promise<HostNamespace[]> {
  const named = (ns: string) => (command: string[]) => ['nsenter', `--net=/run/netns/${ns}`, ...command];
  const spaces: HostNamespace[] = [{ where: 'host', argv: named(host.netns!), mayBeGone: false }];
  for (const ns of (await listNetns()).filter((n) => n.startsWith(`${host.name}-`)))
    spaces.push({ where: `netns:${ns}`, argv: named(ns), mayBeGone: true });
  const dockerNs = `${host.descriptor.dataDir}/exec/netns`;
  // those namespace files are bind mounts in the engine's private mount namespace: enter it first
  const pid = (await readFile(`${host.descriptor.dataDir}/docker.pid`, 'utf8').catch(() => '')).trim();
  for (const f of await readdir(dockerNs).catch(() => [] as string[])) {
    if (!/^\d+-/.test(f) || !pid) continue;
    spaces.push({
      where: f,
      argv: (command) => ['nsenter', `--target=${pid}`, '--mount', 'nsenter', `--net=${dockerNs}/${f}`, ...command],
      mayBeGone: true,
    });
  }
  return spaces;
}

/** Every VXLAN device on a lab host, in any of its namespaces (hostNamespaces, or a remote host's). */
export async function vxlanDevices(ctx: CheckContext, host: LabHost): Promise<VxlanDevice[]> {
  const show = ['ip', '-d', '-j', 'link', 'show', 'type', 'vxlan'];
  if (!host.onThisMachine) return remoteVxlanDevices(ctx, host, show);
  const found: VxlanDevice[] = [];
  for (const ns of await hostNamespaces(host))
    found.push(...(await devicesIn(ctx, host, ns.where, ns.argv(show), !ns.mayBeGone)));
  return found;
}

/** The same on a remote host, through the run's helper: its namespace, then the engine's overlay namespaces. */
async function remoteVxlanDevices(ctx: CheckContext, host: LabHost, show: string[]): Promise<VxlanDevice[]> {
  const found = await devicesIn(ctx, host, 'host', () => host.exec(show));
  for (const file of (await engineNamespaceFiles(host)).filter((f) => /\/\d+-[^/]+$/.test(f))) {
    const where = file.slice(file.lastIndexOf('/') + 1);
    found.push(...(await devicesIn(ctx, host, where, () => execInEngineNamespace(host, file, show), false)));
  }
  // namespaces bind-mounted anywhere on the host (a plugin's per-network ones, as the reference
  // overlay keeps): only devices that send from this host's address are this host's
  for (const [path, output] of await inEveryBoundNamespace(host, show)) {
    const where = `netns:${path.slice(path.lastIndexOf('/') + 1)}`;
    const listed = async () => ({
      command: `[${host.name}] nsenter --net=${path} ${show.join(' ')}`,
      exitCode: 0,
      output,
      timedOut: false,
    });
    found.push(...(await devicesIn(ctx, host, where, listed, false, host.descriptor.underlayAddress)));
  }
  return found;
}

/**
 * The VNIs on each host that were not there in `before`. A device in a namespace Docker made for
 * an overlay network (`1-<first 10 characters of the network id>`) counts only for that network:
 * swarm's ingress namespace may appear at the same moment.
 */
export function newVnis(before: VxlanDevice[], after: VxlanDevice[], networkId?: string): Map<string, number[]> {
  const had = new Set(before.map((d) => `${d.host} ${d.vni}`));
  const out = new Map<string, number[]>();
  for (const d of after) {
    if (had.has(`${d.host} ${d.vni}`)) continue;
    if (/^\d+-/.test(d.where) && networkId && !d.where.endsWith(`-${networkId.slice(0, 10)}`)) continue;
    out.set(
      d.host,
      [...new Set([...(out.get(d.host) ?? []), d.vni])].sort((a, b) => a - b),
    );
  }
  return out;
}

export async function allVxlanDevices(ctx: CheckContext): Promise<VxlanDevice[]> {
  return (await Promise.all(ctx.lab.hosts.map((h) => vxlanDevices(ctx, h)))).flat();
}
