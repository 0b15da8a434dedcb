import type Dockerode from 'dockerode';
import { execInContainer } from '../docker-exec.ts';
import type { LabHost } from '../host.ts';
import type { CommandResult } from '../linux/command.ts';
import { PREFIX, runIdOf } from '../run-id.ts';

/**
 * The engine's process id on a remote host, seen from the run's helper (host PID namespace): the
 * dockerd whose network namespace is the helper's, which is the host's. (One dockerd on a real host;
 * several on this machine, where a netns lab's engines play the remote hosts.)
 */
export async function findEnginePid(docker: Dockerode, helper: string): Promise<number> {
  const script =
    'self=$(readlink /proc/self/ns/net); for p in $(pidof dockerd); do ' +
    '[ "$(readlink /proc/$p/ns/net)" = "$self" ] && echo $p; done; true';
  const r = await execInContainer(docker, helper, ['/bin/busybox', 'sh', '-c', script], { timeoutMs: 15_000 });
  const pid = Number(r.output.trim().split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0)
    throw new Error(`no dockerd process in the host's network namespace (helper saw: ${r.output.trim() || 'nothing'})`);
  return pid;
}

function enginePid(host: LabHost): number {
  const pid = host.descriptor.enginePid;
  if (!pid) throw new Error(`${host.name}: the engine's process is not known (not a remote host)`);
  return pid;
}

/**
 * A command of the host's own (iptables-save …) in the engine's mount and network namespaces: the
 * tools that manage the host's firewall are the host's, whatever the helper image holds.
 */
export function execWithHostTools(host: LabHost, argv: string[], timeoutMs?: number): Promise<CommandResult> {
  const pid = String(enginePid(host));
  return host.exec(['nsenter', `--target=${pid}`, '--mount', '--net', '--', ...argv], { timeoutMs });
}

/**
 * The network namespace files the engine keeps (overlay networks' `1-<id>`, swarm's
 * `ingress_sbox`, containers'), as paths in its mount namespace: they are bind mounts, so its
 * mountinfo lists them wherever its exec root is.
 */
export async function engineNamespaceFiles(host: LabHost): Promise<string[]> {
  const r = await host.exec(['cat', `/proc/${enginePid(host)}/mountinfo`]);
  if (r.exitCode !== 0) throw new Error(`${host.name}: cannot read the engine's mounts: ${r.output.trim()}`);
  const points = r.output.split('\n').map((l) => l.split(' ')[4] ?? '');
  return [...new Set(points.filter((p) => /\/netns\/[^/]+$/.test(p)))];
}

/**
 * A helper command inside a network namespace file the helper can reach (host PID namespace: any
 * process's root). By absolute path: busybox's nsenter runs its own applet of a bare name (its `ip`
 * has no `-j`).
 */
export function execInNetnsFile(
  host: LabHost,
  path: string,
  argv: string[],
  timeoutMs?: number,
): Promise<CommandResult> {
  const [tool, ...args] = argv;
  const binary = tool!.startsWith('/') ? tool! : `/bin/${tool}`;
  return host.exec(['nsenter', `--net=${path}`, binary, ...args], { timeoutMs });
}

/** A helper command inside one of the engine's namespace files (reached through its process's root). */
export function execInEngineNamespace(
  host: LabHost,
  file: string,
  argv: string[],
  timeoutMs?: number,
): Promise<CommandResult> {
  return execInNetnsFile(host, `/proc/${enginePid(host)}/root${file}`, argv, timeoutMs);
}

const SECTION = '=== cnm-harness namespace ';

/**
 * A helper command in every network namespace a bind mount keeps on the host (a plugin's
 * per-network ones, `ip netns` files), in one `docker exec`: nsfs mounts are read from the mountinfo
 * of each mount namespace a process on the host's network stack has, and entered through that
 * process, once per namespace.
 * (Such a mount may live in the plugin's own mount namespace only: /run/netns seen from one place
 * would not show it.) Each namespace's output, by the path it was entered at.
 */
export async function inEveryBoundNamespace(host: LabHost, argv: string[]): Promise<Map<string, string>> {
  const [tool, ...args] = argv;
  const command = [tool!.startsWith('/') ? tool! : `/bin/${tool}`, ...args].join(' ');
  const script =
    // the name the host's own network namespace is bound under, if any (a netns lab's host playing a
    // remote one: cnmh-<run>-h1)
    `me=$(stat -L -c %i /proc/self/ns/net); for f in /proc/${enginePid(host)}/root/run/netns/*; do ` +
    `[ "$(stat -L -c %i "$f" 2>/dev/null)" = "$me" ] && echo "${SECTION}host \${f##*/}"; done; ` +
    // only processes on the host's own network stack (a plugin serving this host runs there): on this
    // machine, where lab engines play the remote hosts, other labs' namespaces hold the same addresses
    'self=$(readlink /proc/self/ns/net); seen=""; done_ns=""; for p in /proc/[0-9]*; do ' +
    '[ "$(readlink $p/ns/net 2>/dev/null)" = "$self" ] || continue; m=$(readlink $p/ns/mnt 2>/dev/null) || continue; ' +
    'case " $seen " in *" $m "*) continue;; esac; seen="$seen $m"; ' +
    'awk -v p=${p#/proc/} \'{ for (i = 7; i <= NF; i++) if ($i == "-") { ' +
    'if ($(i+1) == "nsfs" && $4 ~ /^net:/) print $4, "/proc/" p "/root" $5; break } }\' $p/mountinfo 2>/dev/null; ' +
    // a process seen in the scan may be gone by now: try the namespace's next path, until one enters
    'done | while read ns path; do case " $done_ns " in *" $ns "*) continue;; esac; ' +
    `out=$(nsenter --net=$path ${command} 2>/dev/null) || continue; done_ns="$done_ns $ns"; ` +
    `echo "${SECTION}$path"; echo "$out"; done; true`;
  const r = await host.exec(['sh', '-c', script], { timeoutMs: 60_000 });
  const out = new Map<string, string>();
  let self: string | undefined;
  for (const part of r.output.split(SECTION).slice(1)) {
    const newline = part.indexOf('\n');
    const [head, body] = newline < 0 ? [part, ''] : [part.slice(0, newline), part.slice(newline + 1)];
    if (head.startsWith('host ')) self = head.slice(5).trim();
    else if (belongsTo(head, self)) out.set(head, body);
  }
  return out;
}

/**
 * Whether a bound namespace can be the host's: one a netns lab made (`cnmh-<run>-…`) is only the
 * host's if the host is that lab's (its own namespace `cnmh-<run>-h1`, the namespace `cnmh-<run>-h1-…`):
 * several labs on one machine hold the same underlay addresses, so the address cannot tell them apart.
 */
export function belongsTo(path: string, self: string | undefined): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const run = runIdOf(name);
  if (!run || !name.startsWith(`${PREFIX}-${run}-`)) return true;
  return self !== undefined && name.startsWith(`${self}-`);
}
