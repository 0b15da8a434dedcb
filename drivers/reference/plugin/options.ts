import { createHash } from 'node:crypto';
import { inSubnet, macFromIp, parseCidr, type Subnet } from '../ipam.ts';
import { PluginError } from './server.ts';

/** The user's `-o` options: Docker nests them under `com.docker.network.generic`. */
export function genericOptions(request: Record<string, unknown>): Record<string, string> {
  const options = (request.Options ?? {}) as Record<string, unknown>;
  return (options['com.docker.network.generic'] ?? {}) as Record<string, string>;
}

export function isInternal(request: Record<string, unknown>): boolean {
  return ((request.Options ?? {}) as Record<string, unknown>)['com.docker.network.internal'] === true;
}

/** MTU from `-o com.docker.network.driver.mtu=N` (what `docker network create --opt` users know) or `-o mtu=N`. */
export function mtuOption(generic: Record<string, string>, fallback: number): number {
  const text = generic['com.docker.network.driver.mtu'] ?? generic.mtu;
  if (text === undefined) return fallback;
  const mtu = Number(text);
  if (!Number.isInteger(mtu) || mtu < 576 || mtu > 9000)
    throw new PluginError(`option mtu=${text}: expected an integer from 576 to 9000`);
  return mtu;
}

/** The first IPv4 pool of CreateNetwork, checked: a /8–/30 network address, its gateway inside it. */
export function ipv4Pool(request: Record<string, unknown>): { subnet: Subnet; gateway?: string } {
  const data = (request.IPv4Data ?? []) as { Pool: string; Gateway?: string }[];
  const first = data[0];
  if (!first) throw new PluginError('CreateNetwork: IPv4Data has no pool: this driver needs an IPv4 subnet');
  let subnet: Subnet;
  try {
    subnet = parseCidr(first.Pool);
  } catch (e) {
    throw new PluginError(`CreateNetwork: IPv4Data[0].Pool: ${(e as Error).message}`);
  }
  if (!first.Gateway) return { subnet };
  const gateway = first.Gateway.split('/')[0]!;
  if (!inSubnet(gateway, subnet))
    throw new PluginError(`CreateNetwork: gateway ${first.Gateway} is outside the pool ${subnet.cidr}`);
  return { subnet, gateway };
}

/** An endpoint's address: a CIDR inside the network's subnet (plain IP returned). */
export function endpointAddress(address: string | undefined, subnet: Subnet): string | undefined {
  if (!address) return undefined;
  const ip = address.split('/')[0]!;
  if (!inSubnet(ip, subnet))
    throw new PluginError(`CreateEndpoint: address ${address} is not a host address of ${subnet.cidr}`);
  return ip;
}

/** A short hex digest: link and chain names from IDs Docker (or a fuzzer) chose, of any length or alphabet. */
export function shortId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 10);
}

/** Published TCP ports from `com.docker.network.portmap` (libnetwork's PortBinding: Proto 6 = TCP). */
export function tcpPortMap(options: unknown): { port: number; hostPort: number }[] {
  const list = (
    options && typeof options === 'object'
      ? (options as Record<string, unknown>)['com.docker.network.portmap']
      : undefined
  ) as { Proto?: number; Port?: number; HostPort?: number }[] | undefined;
  if (!Array.isArray(list)) return [];
  return list
    .filter((b) => b && b.Proto === 6 && Number.isInteger(b.Port) && Number.isInteger(b.HostPort) && b.HostPort! > 0)
    .map((b) => ({ port: b.Port!, hostPort: b.HostPort! }));
}

/** The entry `id` names, or a refusal saying there is none (an error answer, never a crash). */
export function known<T>(map: Map<string, T>, id: unknown, what: string): T {
  const entry = map.get(String(id));
  if (!entry) throw new PluginError(`no ${what} ${String(id)}`);
  return entry;
}

export interface NewEndpoint {
  id: string;
  ip: string;
  mac: string;
  /** veth names: `v<tag><digest>` on the network's side, `c<tag><digest>` for the sandbox. */
  hostIf: string;
  peer: string;
  /** CreateEndpoint's reply: only what Docker left empty is filled in. */
  reply: object;
}

/** What every CreateEndpoint checks and derives; `noAddress` says what to do when Docker sent no address. */
export function newEndpoint(
  req: Record<string, unknown>,
  subnet: Subnet,
  existing: Map<string, unknown>,
  tag: string,
  noAddress: string,
): NewEndpoint {
  const id = String(req.EndpointID);
  if (existing.has(id)) throw new PluginError(`endpoint ${id} exists already`);
  const iface = (req.Interface ?? {}) as { Address?: string; MacAddress?: string };
  const ip = endpointAddress(iface.Address, subnet);
  if (!ip) throw new PluginError(`CreateEndpoint: no Interface.Address: ${noAddress}`);
  const mac = iface.MacAddress || macFromIp(ip);
  const short = shortId(String(req.NetworkID), id);
  return {
    id,
    ip,
    mac,
    hostIf: `v${tag}${short}`,
    peer: `c${tag}${short}`,
    reply: iface.MacAddress ? {} : { Interface: { MacAddress: mac } },
  };
}
