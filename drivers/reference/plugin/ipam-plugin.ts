import type { EtcdClient } from '../../../lab/kv/etcd-client.ts';
import { runJson } from '../../../lab/linux/command.ts';
import { gatewayOf, hostAddresses, inSubnet, intToIp, parseCidr, type Subnet } from '../ipam.ts';
import { PluginError, type PluginService } from './server.ts';

const LOCAL_SPACE = 'CnmRefLocal';
const GLOBAL_SPACE = 'CnmRefGlobal';
const GATEWAY_REQUEST = 'com.docker.network.gateway';
/** Pools handed out when a network is created without a subnet: /24s of this range. */
const DYNAMIC_BASE = parseCidr('10.210.0.0/16');

/**
 * The reference IPAM as a libnetwork IpamDriver, backed by etcd: every host's engine asks it, and
 * an address is claimed by compare-and-swap on one key, so two hosts never hand out the same one.
 * A pool is held per host (Docker creates a local-scope network on each host) and its addresses
 * are dropped when the last host releases it. The gateway is one address per pool, shared.
 */
/** The IPv4 destinations routed in the plugin's namespace (the engine's), default route excluded. */
export async function localRoutes(): Promise<Subnet[]> {
  const routes = await runJson<{ dst: string }[]>(['ip', '-j', '-4', 'route', 'show']).catch(() => []);
  return routes
    .filter((r) => r.dst !== 'default')
    .map((r) => (r.dst.includes('/') ? r.dst : `${r.dst}/32`))
    .flatMap((cidr) => {
      try {
        return [parseCidr(cidr, 0, 32)];
      } catch {
        return [];
      }
    });
}

function overlaps(a: Subnet, b: Subnet): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

/**
 * `routes` lists what is already routed where the engine runs: a dynamic pool overlapping one of
 * them would be refused by Docker (which then asks again, and again), so it is skipped, as Docker's
 * own IPAM skips such pools.
 */
export function ipamPlugin(
  kv: EtcdClient,
  prefix: string,
  hostName: string,
  routes: () => Promise<Subnet[]> = localRoutes,
): PluginService {
  const root = `${prefix}ipam/pools/`;
  const poolRoot = (cidr: string) => `${root}${cidr.replace('/', '_')}/`;
  const holds = new Map<string, number>();

  const poolOf = (poolId: unknown): Subnet => {
    const cidr = String(poolId).split('/').slice(1).join('/');
    try {
      return parseCidr(cidr);
    } catch {
      throw new PluginError(`no pool ${String(poolId)} (pool ids are <address space>/<CIDR>)`);
    }
  };
  // how many networks of this host use a pool: kept in etcd too, so a restarted plugin knows it again
  const held = async (cidr: string): Promise<number> => {
    const known = holds.get(cidr);
    if (known !== undefined) return known;
    const stored = Number((await kv.get(`${poolRoot(cidr)}holders/${hostName}`))?.value ?? 0);
    if (stored > 0) holds.set(cidr, stored);
    return stored;
  };
  const gatewayFor = async (subnet: Subnet) => (await kv.get(`${poolRoot(subnet.cidr)}gateway`))?.value;

  const dynamicPool = async (): Promise<Subnet> => {
    const taken = await routes();
    for (let i = 0; i < 256; i++) {
      const subnet = parseCidr(`${intToIp(DYNAMIC_BASE.network + i * 256)}/24`);
      if (taken.some((r) => overlaps(r, subnet))) continue;
      if (await kv.createIfAbsent(`${prefix}ipam/dynamic/${subnet.cidr.replace('/', '_')}`, hostName)) return subnet;
    }
    throw new PluginError(`no free /24 left in ${DYNAMIC_BASE.cidr}: pass --subnet`);
  };

  return {
    implements: ['IpamDriver'],
    handlers: {
      'IpamDriver.GetCapabilities': async () => ({ RequiresMACAddress: false, RequiresRequestReplay: false }),
      'IpamDriver.GetDefaultAddressSpaces': async () => ({
        LocalDefaultAddressSpace: LOCAL_SPACE,
        GlobalDefaultAddressSpace: GLOBAL_SPACE,
      }),
      'IpamDriver.RequestPool': async (req) => {
        if (req.V6 === true) throw new PluginError('IPv6 pools are not supported by cnm-ref-ipam');
        if (req.SubPool) throw new PluginError('sub-pools (--ip-range) are not supported by cnm-ref-ipam');
        let subnet: Subnet;
        // the server validated the request against its schema: Pool, when present, is a string
        const pool = typeof req.Pool === 'string' ? req.Pool : '';
        if (pool) {
          try {
            subnet = parseCidr(pool);
          } catch (e) {
            throw new PluginError(`RequestPool: ${(e as Error).message}`);
          }
          if (subnet.cidr !== pool)
            throw new PluginError(`RequestPool: ${pool} is not a network address (did you mean ${subnet.cidr}?)`);
        } else subnet = await dynamicPool();
        // the same request gives the same pool id: the id is the address space and the subnet
        const poolId = `${String(req.AddressSpace) || LOCAL_SPACE}/${subnet.cidr}`;
        holds.set(subnet.cidr, (await held(subnet.cidr)) + 1);
        await kv.put(`${poolRoot(subnet.cidr)}holders/${hostName}`, String(holds.get(subnet.cidr)));
        return { PoolID: poolId, Pool: subnet.cidr, Data: {} };
      },
      'IpamDriver.ReleasePool': async (req) => {
        let subnet: Subnet;
        try {
          subnet = poolOf(req.PoolID);
        } catch {
          return {};
        }
        const left = ((await held(subnet.cidr)) || 1) - 1;
        if (left > 0) {
          holds.set(subnet.cidr, left);
          return {};
        }
        holds.delete(subnet.cidr);
        await kv.delete(`${poolRoot(subnet.cidr)}holders/${hostName}`);
        if ((await kv.list(`${poolRoot(subnet.cidr)}holders/`)).length === 0) {
          await kv.deletePrefix(poolRoot(subnet.cidr));
          await kv.delete(`${prefix}ipam/dynamic/${subnet.cidr.replace('/', '_')}`);
        }
        return {};
      },
      'IpamDriver.RequestAddress': async (req) => {
        const subnet = poolOf(req.PoolID);
        if (!(await held(subnet.cidr)))
          throw new PluginError(`pool ${String(req.PoolID)} was not requested on this host`);
        const options = (req.Options ?? {}) as Record<string, string>;
        const wanted = typeof req.Address === 'string' ? req.Address : '';
        if (wanted && !inSubnet(wanted, subnet))
          throw new PluginError(`address ${wanted} is not a host address of ${subnet.cidr}`);
        if (options.RequestAddressType === GATEWAY_REQUEST) {
          // one gateway per pool, whichever host asks first chooses it
          const gw = wanted || gatewayOf(subnet);
          const key = `${poolRoot(subnet.cidr)}gateway`;
          if (!(await kv.createIfAbsent(key, gw)) && (await gatewayFor(subnet)) !== gw)
            throw new PluginError(`pool ${subnet.cidr} has the gateway ${await gatewayFor(subnet)} already`);
          return { Address: `${gw}/${subnet.prefix}`, Data: {} };
        }
        const gateway = await gatewayFor(subnet);
        const claim = (ip: string) => kv.createIfAbsent(`${poolRoot(subnet.cidr)}addresses/${ip}`, hostName);
        if (wanted) {
          if (wanted === gateway || !(await claim(wanted))) throw new PluginError(`address ${wanted} is in use`);
          return { Address: `${wanted}/${subnet.prefix}`, Data: {} };
        }
        for (const ip of hostAddresses(subnet)) {
          if (ip !== gateway && (await claim(ip))) return { Address: `${ip}/${subnet.prefix}`, Data: {} };
        }
        throw new PluginError(`pool ${subnet.cidr} has no free address`);
      },
      'IpamDriver.ReleaseAddress': async (req) => {
        let subnet: Subnet;
        try {
          subnet = poolOf(req.PoolID);
        } catch {
          return {};
        }
        const ip = String(req.Address);
        if (ip !== (await gatewayFor(subnet))) await kv.delete(`${poolRoot(subnet.cidr)}addresses/${ip}`);
        return {};
      },
    },
  };
}
