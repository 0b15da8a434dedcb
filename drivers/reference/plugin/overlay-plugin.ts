import type { EtcdClient } from '../../../lab/kv/etcd-client.ts';
import { run } from '../../../lab/linux/command.ts';
import type { Subnet } from '../ipam.ts';
import { OverlayFabric, type OverlayPlace, type PublishedEndpoint } from '../overlay-fabric.ts';
import { parseVniRange, VniAllocator, type VniRange } from '../vni-allocator.ts';
import { genericOptions, ipv4Pool, known, newEndpoint, shortId } from './options.ts';
import { deleteEndpoint, joinEndpoint, type PluginEndpoint } from './plugin-endpoint.ts';
import { persisting, type PluginStateFile } from './plugin-state.ts';
import { PluginError, type PluginService } from './server.ts';

type OverlayEndpoint = PluginEndpoint;

interface OverlayNet {
  /** The network's identity across hosts: its subnet. Every host creates it with the same pool. */
  pool: string;
  subnet: Subnet;
  fabric: OverlayFabric;
  endpoints: Map<string, OverlayEndpoint>;
}

/** What the cluster knows about one overlay network, in etcd under its pool. */
interface ClusterNetwork {
  vni: number;
  subnet: string;
  /** The hosts that carry the network; the last one out frees the VNI. */
  hosts: string[];
}

/** What survives a crash (plugin-state.ts): each network's pool and VNI, and its endpoints; the rest is in etcd. */
export interface SavedOverlayState {
  networks: { id: string; pool: string; subnet: Subnet; vni: number; endpoints: [string, OverlayEndpoint][] }[];
}

const DEFAULT_VNI_RANGE: VniRange = [256, 1000];

/**
 * The reference overlay served as a libnetwork NetworkDriver. Docker networks of a local-scope
 * plugin live on one engine, so the same network is created on every host with the same subnet: the
 * subnet is its identity in etcd, where the first host to create it claims the VNI and the last to
 * delete it frees the VNI. Joined endpoints are published in etcd; one watch programs the remote
 * ones into this host's fabric (connectivity scope global). Addresses come from the etcd-backed
 * IPAM plugin, so they never collide across hosts.
 */
export async function overlayPlugin(
  place: OverlayPlace,
  kv: EtcdClient,
  prefix: string,
  state?: PluginStateFile<SavedOverlayState>,
): Promise<{ service: PluginService; close(): Promise<void> }> {
  const networks = new Map<string, OverlayNet>();
  const vnis = new VniAllocator(kv, `${prefix}overlay/`);
  const root = `${prefix}overlay/plugin/`;
  const poolKey = (pool: string) => `${root}${pool.replace('/', '_')}/`;

  const carrying = (pool: string) => [...networks.values()].filter((n) => n.pool === pool);
  // remote endpoints by key: a delete event carries no value, so what to unprogram is remembered
  const remoteByKey = new Map<string, PublishedEndpoint>();
  const watch = await kv.watch(root, (event) => {
    const m = /^(.+\/)endpoints\/(.+)$/.exec(event.key);
    const local = m ? [...networks.values()].find((n) => poolKey(n.pool) === m[1]) : undefined;
    if (!local) return;
    const ep = event.type === 'put' ? (JSON.parse(event.value) as PublishedEndpoint) : remoteByKey.get(event.key);
    if (event.type === 'put') remoteByKey.set(event.key, ep!);
    else remoteByKey.delete(event.key);
    if (!ep || ep.host === place.hostName) return;
    for (const n of carrying(local.pool)) void (event.type === 'put' ? n.fabric.program(ep) : n.fabric.unprogram(ep));
  });

  /** Programs the pool's remote endpoints (those in etcd now) into a fabric of this host. */
  const programRemotes = async (n: OverlayNet) => {
    for (const entry of await kv.list(`${poolKey(n.pool)}endpoints/`)) {
      const ep = JSON.parse(entry.value) as PublishedEndpoint;
      remoteByKey.set(entry.key, ep);
      if (ep.host !== place.hostName) await n.fabric.program(ep);
    }
  };
  // after a crash: the networks this host carried, their fabrics taken over, peers programmed afresh
  for (const saved of state?.load()?.networks ?? []) {
    const fabric = await OverlayFabric.adopt(place, saved.vni);
    const n: OverlayNet = { pool: saved.pool, subnet: saved.subnet, fabric, endpoints: new Map(saved.endpoints) };
    networks.set(saved.id, n);
    await programRemotes(n);
  }
  const save = () =>
    state?.save({
      networks: [...networks].map(([id, n]) => ({
        id,
        pool: n.pool,
        subnet: n.subnet,
        vni: n.fabric.vni,
        endpoints: [...n.endpoints],
      })),
    });

  const network = (id: unknown) => known(networks, id, 'network');
  const endpoint = (n: OverlayNet, id: unknown) => known(n.endpoints, id, 'endpoint');
  const dropVeth = async (n: OverlayNet, ep: OverlayEndpoint) => {
    await run(['ip', 'link', 'delete', ep.peer], { netns: place.netns });
    await run(['ip', 'link', 'delete', ep.hostIf], { netns: n.fabric.netns });
  };
  const epKey = (n: OverlayNet, endpointId: string) =>
    `${poolKey(n.pool)}endpoints/${place.hostName}-${shortId(endpointId)}`;

  /**
   * Joins this host to the pool's network, made with a freshly claimed VNI by the first host in.
   * The record (VNI, subnet, hosts) changes only by compare-and-swap: a host joining while the last
   * one leaves joins either before the leave (which then keeps the network) or after it (and makes
   * a new one), never a network whose VNI is being freed.
   */
  const joinCluster = async (pool: string, range: VniRange): Promise<ClusterNetwork> => {
    const key = `${poolKey(pool)}network`;
    for (;;) {
      const existing = await kv.get(key);
      if (!existing) {
        const vni = await vnis.allocate(range, pool);
        const record: ClusterNetwork = { vni, subnet: pool, hosts: [place.hostName] };
        if (await kv.replaceIfUnchanged(key, 0, { put: JSON.stringify(record) })) return record;
        await vnis.release(vni, pool);
        continue;
      }
      const record = JSON.parse(existing.value) as ClusterNetwork;
      const joined = { ...record, hosts: [...new Set([...record.hosts, place.hostName])] };
      if (await kv.replaceIfUnchanged(key, existing.modRevision, { put: JSON.stringify(joined) })) return joined;
    }
  };

  /** This host no longer carries the network; the last host out frees the VNI and the network's keys at once. */
  const leaveCluster = async (pool: string): Promise<void> => {
    const key = `${poolKey(pool)}network`;
    for (;;) {
      const existing = await kv.get(key);
      if (!existing) return;
      const record = JSON.parse(existing.value) as ClusterNetwork;
      const hosts = record.hosts.filter((h) => h !== place.hostName);
      const change = hosts.length
        ? { put: JSON.stringify({ ...record, hosts }) }
        : { delete: true as const, keys: [vnis.key(record.vni)], prefixes: [poolKey(pool)] };
      if (await kv.replaceIfUnchanged(key, existing.modRevision, change)) return;
    }
  };

  const making = new Set<string>();
  /** CreateNetwork once the pool is this host's to make: join the pool's cluster, make the fabric. */
  const createNetwork = async (req: Record<string, unknown>, id: string, subnet: Subnet): Promise<object> => {
    const generic = genericOptions(req);
    let range = DEFAULT_VNI_RANGE;
    if (generic['vni-range']) {
      try {
        range = parseVniRange(generic['vni-range']);
      } catch (e) {
        throw new PluginError((e as Error).message);
      }
    }
    const cluster = await joinCluster(subnet.cidr, range);
    let fabric: OverlayFabric;
    try {
      fabric = await OverlayFabric.create(place, cluster.vni);
    } catch (e) {
      await leaveCluster(subnet.cidr);
      throw e;
    }
    const n: OverlayNet = { pool: subnet.cidr, subnet, fabric, endpoints: new Map() };
    networks.set(id, n);
    await programRemotes(n);
    return {};
  };

  const service: PluginService = persisting(
    {
      implements: ['NetworkDriver'],
      handlers: {
        'NetworkDriver.GetCapabilities': async () => ({ Scope: 'local', ConnectivityScope: 'global' }),
        'NetworkDriver.CreateNetwork': async (req) => {
          const id = String(req.NetworkID);
          if (networks.has(id)) throw new PluginError(`network ${id} exists already`);
          const { subnet } = ipv4Pool(req);
          // one network per pool on a host, counting one being made: a second CreateNetwork failing on
          // the first's namespace would otherwise take the host out of the pool's cluster and free its VNI
          if (carrying(subnet.cidr).length || making.has(subnet.cidr))
            throw new PluginError(`this host has an overlay on ${subnet.cidr} already`);
          making.add(subnet.cidr);
          try {
            return await createNetwork(req, id, subnet);
          } finally {
            making.delete(subnet.cidr);
          }
        },
        'NetworkDriver.DeleteNetwork': async (req) => {
          const n = networks.get(String(req.NetworkID));
          if (!n) return {};
          for (const [id, ep] of n.endpoints) {
            await kv.delete(epKey(n, id));
            await dropVeth(n, ep);
          }
          await n.fabric.remove();
          networks.delete(String(req.NetworkID));
          await leaveCluster(n.pool);
          return {};
        },
        'NetworkDriver.CreateEndpoint': async (req) => {
          const n = network(req.NetworkID);
          const ep = newEndpoint(
            req,
            n.subnet,
            n.endpoints,
            'o',
            'use the cnm-ref-ipam driver (or --ip) so addresses are unique across hosts',
          );
          n.endpoints.set(ep.id, { ip: ep.ip, mac: ep.mac, hostIf: ep.hostIf, peer: ep.peer, joined: false });
          return ep.reply;
        },
        'NetworkDriver.EndpointOperInfo': async (req) => {
          const n = network(req.NetworkID);
          const ep = endpoint(n, req.EndpointID);
          return { Value: { vni: n.fabric.vni, hostInterface: ep.hostIf, joined: ep.joined, address: ep.ip } };
        },
        'NetworkDriver.DeleteEndpoint': (req) =>
          deleteEndpoint(networks, req, async (n, ep, id) => {
            await kv.delete(epKey(n, id));
            await dropVeth(n, ep);
          }),
        'NetworkDriver.Join': async (req) => {
          const n = network(req.NetworkID);
          const ep = endpoint(n, req.EndpointID);
          const published: PublishedEndpoint = {
            ip: ep.ip,
            mac: ep.mac,
            host: place.hostName,
            underlay: place.underlayAddress,
          };
          const joined = await joinEndpoint(ep, String(req.EndpointID), {
            makePair: () => n.fabric.addVethPair(ep.hostIf, ep.peer),
            dropPair: () => dropVeth(n, ep),
            netns: place.netns,
            after: () => kv.put(epKey(n, String(req.EndpointID)), JSON.stringify(published)),
          });
          // no gateway: the overlay has no egress (nat=false), and Docker must not add docker_gwbridge
          return { ...joined, DisableGatewayService: true };
        },
        'NetworkDriver.Leave': async (req) => {
          const n = network(req.NetworkID);
          const ep = endpoint(n, req.EndpointID);
          await kv.delete(epKey(n, String(req.EndpointID)));
          await dropVeth(n, ep);
          ep.joined = false;
          return {};
        },
        'NetworkDriver.DiscoverNew': async () => ({}),
        'NetworkDriver.DiscoverDelete': async () => ({}),
      },
    },
    save,
  );

  return {
    service,
    async close() {
      await watch[Symbol.asyncDispose]();
    },
  };
}
