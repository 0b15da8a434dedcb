/** IPv4 arithmetic and a subnet allocator: pure logic, the same for one host or many. */

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Subnet {
  cidr: string;
  network: number;
  prefix: number;
  size: number;
}

/** A subnet from `a.b.c.d/len`; networks take /8–/30, a route may be anything from `min` to `max`. */
export function parseCidr(cidr: string, min = 8, max = 30): Subnet {
  const [ip, len] = cidr.split('/');
  const prefix = Number(len);
  if (!ip || !Number.isInteger(prefix) || prefix < min || prefix > max)
    throw new Error(`not an IPv4 CIDR with a /${min}–/${max} prefix: ${cidr}`);
  const size = 2 ** (32 - prefix);
  const network = (ipToInt(ip) & ~(size - 1)) >>> 0;
  return { cidr: `${intToIp(network)}/${prefix}`, network, prefix, size };
}

/** Whether `ip` is a host address of `subnet` (neither its network nor its broadcast address). */
export function inSubnet(ip: string, subnet: Subnet): boolean {
  try {
    const n = ipToInt(ip);
    return n > subnet.network && n < subnet.network + subnet.size - 1;
  } catch {
    return false;
  }
}

/** The first usable address: the gateway by convention. */
export function gatewayOf(subnet: Subnet): string {
  return intToIp(subnet.network + 1);
}

/**
 * Candidate host addresses in order, lowest first: neither the network address, nor the gateway,
 * nor the broadcast address.
 */
export function* hostAddresses(subnet: Subnet): Generator<string> {
  for (let i = 2; i < subnet.size - 1; i++) yield intToIp(subnet.network + i);
}

/** Lowest-free allocation within one process (a host-local network). */
export class SubnetAllocator {
  private readonly used = new Set<string>();

  constructor(readonly subnet: Subnet) {}

  allocate(): string {
    for (const ip of hostAddresses(this.subnet)) {
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    throw new Error(`subnet ${this.subnet.cidr} has no free address (${this.used.size} in use)`);
  }

  release(ip: string): void {
    this.used.delete(ip);
  }
}

/** A locally administered unicast MAC derived from the IPv4 address, as Docker does (02:42:a.b.c.d). */
export function macFromIp(ip: string): string {
  const n = ipToInt(ip);
  return [
    '02',
    '42',
    ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0')),
  ].join(':');
}
