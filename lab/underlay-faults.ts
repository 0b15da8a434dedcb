import type { HostDescriptor } from './host.ts';
import { mustRun, run, type CommandResult } from './linux/command.ts';
import type { UnderlayDescriptor } from './underlay.ts';

/**
 * Faults on the lab's underlay, made on the switch's side of a host's port (in the switch's own
 * namespace): the hosts, their engines and everything in them are left as they are. Undo each with
 * its counterpart.
 */

/** A netns host's port on the underlay switch (netns-host.ts names it). */
export function hostPort(host: Pick<HostDescriptor, 'name' | 'underlayPort'>): string {
  if (!host.underlayPort) throw new Error(`${host.name} has no port on the lab's underlay switch (not a netns host)`);
  return host.underlayPort;
}

const DROP_TABLE = 'cnmh-impair';

/**
 * Drops `perMille`/1000 of the frames the switch forwards out of `ports`, at random (an nftables
 * bridge table: it needs no qdisc the kernel may lack).
 */
export async function dropOnPorts(
  underlay: UnderlayDescriptor,
  ports: string[],
  perMille: number,
): Promise<CommandResult> {
  await clearDrops(underlay);
  const rules = ports.map((p) => `    oifname "${p}" numgen random mod 1000 < ${perMille} drop`).join('\n');
  const chain = `  chain impair {\n    type filter hook forward priority 0;\n${rules}\n  }\n`;
  const script = `table bridge ${DROP_TABLE} {\n${chain}}\n`;
  return mustRun(['nft', '-f', '-'], { netns: underlay.netns, input: script });
}

export async function clearDrops(underlay: UnderlayDescriptor): Promise<CommandResult> {
  return run(['nft', 'delete', 'table', 'bridge', DROP_TABLE], { netns: underlay.netns });
}

/**
 * A qdisc on a port, towards its host: `tbf …` (a rate limit);
 * `netem …` (delay, reordering) where the kernel has it.
 */
export async function shapePort(underlay: UnderlayDescriptor, port: string, qdisc: string[]): Promise<CommandResult> {
  return run(['tc', 'qdisc', 'replace', 'dev', port, 'root', ...qdisc], { netns: underlay.netns });
}

/** Takes a port's qdisc off again (none there is fine). */
export async function clearPort(underlay: UnderlayDescriptor, port: string): Promise<CommandResult> {
  return run(['tc', 'qdisc', 'del', 'dev', port, 'root'], { netns: underlay.netns });
}

/** Cuts a host off the underlay (its switch port down), or joins it again. */
export async function setPortUp(underlay: UnderlayDescriptor, port: string, up: boolean): Promise<CommandResult> {
  return mustRun(['ip', 'link', 'set', port, up ? 'up' : 'down'], { netns: underlay.netns });
}
