import type { Sandbox } from '../../drivers/contract.ts';
import { runDump } from '../../lab/linux/command.ts';
import type { IpAddr, IpLink } from '../../lab/linux/links.ts';
import type { CheckContext } from './context.ts';
import { hostNamespaces, type HostNamespace } from './vxlan.ts';

/** Where a sandbox's link to a network leads on its host, and the VXLAN devices on that bridge. */
export interface NetworkVxlan {
  /** The namespace holding the sandbox's veth peer (hostNamespaces' `where`). */
  where: string;
  bridge: string;
  /** The VXLAN devices enslaved to that bridge, and their VNIs. */
  devices: { name: string; vni: number }[];
}

/** A listing as links; undefined where it is not one (a namespace that went away mid-listing). */
function parsed(output: string): IpLink[] | undefined {
  try {
    return JSON.parse(output || '[]') as IpLink[];
  } catch {
    return undefined;
  }
}

interface Candidate {
  ns: HostNamespace;
  links: IpLink[];
  peer: IpLink & { master: string };
}

/**
 * The VXLAN devices that carry a sandbox's network on its host, found by following its link and not
 * by what appeared on the host meanwhile: the sandbox's interface with `address` is one end of a veth;
 * its peer (the index it names, naming the sandbox's end back) is plugged into a bridge in one of the
 * host's namespaces, and the VXLAN devices on that bridge are the network's — whatever other overlay
 * networks come and go beside it. Interface indexes repeat across namespaces (a sandbox's eth0 is
 * often 2 and its peer 3), so where several namespaces hold such a pair, the one whose bridge has
 * learnt the sandbox's MAC on that port is it (after one gratuitous ARP from the sandbox if none has).
 * Undefined where that path does not exist (no veth, no single peer, no VXLAN device on its bridge:
 * a driver built otherwise), or on a host reached through a helper: the caller then diffs.
 */
export async function vxlanBehind(
  ctx: CheckContext,
  sandbox: Sandbox,
  address: string,
): Promise<NetworkVxlan | undefined> {
  const host = sandbox.host;
  if (!host.onThisMachine) return undefined;
  const inside = await sandbox.exec(['ip', '-j', '-d', 'addr', 'show'], 10_000, ctx.signal);
  ctx.record(sandbox.name, inside);
  if (inside.exitCode !== 0) return undefined;
  const own = (JSON.parse(inside.output || '[]') as IpAddr[]).find((l) =>
    l.addr_info?.some((a) => a.local === address),
  );
  if (own?.linkinfo?.info_kind !== 'veth' || own.link_index === undefined || !own.address) return undefined;
  const show = ['ip', '-j', '-d', 'link', 'show'];
  const listed = await Promise.all(
    (await hostNamespaces(host)).map(async (ns) => ({ ns, r: await runDump(ns.argv(show), { signal: ctx.signal }) })),
  );
  let candidates: Candidate[] = [];
  for (const { ns, r } of listed) {
    const links = r.exitCode === 0 ? parsed(r.output) : undefined;
    if (!links) continue;
    const peer = links.find(
      (l) =>
        l.ifindex === own.link_index &&
        l.link_index === own.ifindex &&
        l.link_netnsid !== undefined &&
        l.linkinfo?.info_kind === 'veth',
    );
    if (peer?.master) candidates.push({ ns, links, peer: { ...peer, master: peer.master } });
  }
  if (candidates.length > 1) candidates = await learntFrom(ctx, sandbox, own, address, candidates);
  const [found] = candidates;
  if (candidates.length !== 1 || !found) return undefined;
  const devices = found.links
    .filter((l) => l.master === found.peer.master && l.linkinfo?.info_kind === 'vxlan')
    .map((l) => ({ name: l.ifname, vni: l.linkinfo!.info_data!.id! }));
  ctx.evidence.push({
    host: host.name,
    command: `follow ${sandbox.name}'s ${own.ifname} (${address}, ${own.address}) to its veth peer`,
    exitCode: 0,
    output:
      `peer ${found.peer.ifname} in ${found.ns.where}, on bridge ${found.peer.master}; VXLAN there: ` +
      (devices.map((d) => `${d.name} vni ${d.vni}`).join(', ') || 'none'),
  });
  return devices.length ? { where: found.ns.where, bridge: found.peer.master, devices } : undefined;
}

/** The candidates whose bridge has learnt the sandbox's MAC on the peer's port. */
async function learntFrom(
  ctx: CheckContext,
  sandbox: Sandbox,
  own: IpAddr,
  address: string,
  candidates: Candidate[],
): Promise<Candidate[]> {
  const learnt = async () => {
    const out: Candidate[] = [];
    for (const c of candidates) {
      const r = await runDump(c.ns.argv(['bridge', '-j', 'fdb', 'show', 'dev', c.peer.ifname]), { signal: ctx.signal });
      const entries = r.exitCode === 0 ? (JSON.parse(r.output || '[]') as { mac?: string }[]) : [];
      if (entries.some((e) => e.mac === own.address)) out.push(c);
    }
    return out;
  };
  const already = await learnt();
  if (already.length) return already;
  // one unsolicited ARP announcing what the sandbox already is: its bridge learns where its MAC is
  const arp = ['busybox', 'arping', '-U', '-c', '1', '-w', '1', '-I', own.ifname, address];
  ctx.record(sandbox.name, await sandbox.exec(arp, 5_000, ctx.signal));
  return learnt();
}
