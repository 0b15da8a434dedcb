import { mustRun, run, runJson } from './command.ts';

export interface IpLink {
  ifindex?: number;
  ifname: string;
  link_type?: string;
  address?: string;
  mtu?: number;
  operstate?: string;
  flags?: string[];
  master?: string;
  /** A veth's peer: its index in the namespace `link_netnsid` names (absent: this one). */
  link_index?: number;
  link_netnsid?: number;
  /** `info_data.id`: a VXLAN device's VNI (with `ip -d`). */
  linkinfo?: { info_kind?: string; info_data?: { id?: number } };
}

export interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
}

export interface IpAddr extends IpLink {
  addr_info: IpAddrInfo[];
}

export async function links(netns?: string): Promise<IpLink[]> {
  return runJson<IpLink[]>(['ip', '-d', '-j', 'link', 'show'], { netns });
}

export async function addBridge(netns: string, name: string): Promise<void> {
  await mustRun(['ip', 'link', 'add', name, 'type', 'bridge'], { netns });
  await mustRun(['ip', 'link', 'set', name, 'up'], { netns });
}

/**
 * A veth pair created in the root namespace and moved at once: `a` into `aNetns` named `aName`,
 * `b` into `bNetns` named `bName`. The temporary names carry the run id so a crash is reaped.
 */
export async function addVethBetween(
  tmpPrefix: string,
  a: { netns: string; name: string },
  b: { netns: string; name: string },
): Promise<void> {
  await mustRun(['ip', 'link', 'add', `${tmpPrefix}a`, 'type', 'veth', 'peer', 'name', `${tmpPrefix}b`]);
  await mustRun(['ip', 'link', 'set', `${tmpPrefix}a`, 'netns', a.netns, 'name', a.name]);
  await mustRun(['ip', 'link', 'set', `${tmpPrefix}b`, 'netns', b.netns, 'name', b.name]);
}

export async function setMaster(netns: string, link: string, master: string): Promise<void> {
  await mustRun(['ip', 'link', 'set', link, 'master', master, 'up'], { netns });
}

export async function addAddress(netns: string, link: string, cidr: string): Promise<void> {
  await mustRun(['ip', 'addr', 'add', cidr, 'dev', link], { netns });
  await mustRun(['ip', 'link', 'set', link, 'up'], { netns });
}

export async function deleteLink(name: string, netns?: string): Promise<void> {
  await run(['ip', 'link', 'delete', name], { netns });
}
