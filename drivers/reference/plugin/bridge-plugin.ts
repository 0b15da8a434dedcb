import { run } from '../../../lab/linux/command.ts';
import { BridgeFabric, type BridgeOptions, type BridgePlace } from '../bridge-fabric.ts';
import type { Subnet } from '../ipam.ts';
import { genericOptions, ipv4Pool, isInternal, known, mtuOption, newEndpoint, shortId, tcpPortMap } from './options.ts';
import { deleteEndpoint, joinEndpoint, type PluginEndpoint } from './plugin-endpoint.ts';
import { persisting, type PluginStateFile } from './plugin-state.ts';
import { PluginError, type PluginService } from './server.ts';

interface BridgeEndpoint extends PluginEndpoint {
  published: { port: number; hostPort: number }[];
}

interface BridgeNet {
  fabric: BridgeFabric;
  subnet: Subnet;
  endpoints: Map<string, BridgeEndpoint>;
}

/** What survives a crash (plugin-state.ts): each network's fabric as made, and its endpoints. */
export interface SavedBridgeState {
  networks: {
    id: string;
    fabricId: string;
    subnet: Subnet;
    gateway: string;
    options: BridgeOptions;
    endpoints: [string, BridgeEndpoint][];
  }[];
}

/**
 * The reference bridge served as a libnetwork NetworkDriver: the same BridgeFabric as ref-bridge,
 * with Docker making the sandbox and moving the veth end we name in Join into it.
 */
export async function bridgePlugin(
  place: BridgePlace,
  state?: PluginStateFile<SavedBridgeState>,
): Promise<PluginService> {
  const networks = new Map<string, BridgeNet>();
  for (const saved of state?.load()?.networks ?? []) {
    const fabric = await BridgeFabric.adopt(place, saved.fabricId, saved.subnet, saved.options, saved.gateway);
    networks.set(saved.id, { fabric, subnet: saved.subnet, endpoints: new Map(saved.endpoints) });
  }
  const save = () =>
    state?.save({
      networks: [...networks].map(([id, n]) => ({
        id,
        fabricId: n.fabric.id,
        subnet: n.subnet,
        gateway: n.fabric.gateway,
        options: n.fabric.options,
        endpoints: [...n.endpoints],
      })),
    });

  const network = (id: unknown) => known(networks, id, 'network');
  const endpoint = (n: BridgeNet, id: unknown) => known(n.endpoints, id, 'endpoint');
  const dropVeth = (ep: BridgeEndpoint) => run(['ip', 'link', 'delete', ep.hostIf], { netns: place.netns });

  return persisting(
    {
      implements: ['NetworkDriver'],
      handlers: {
        'NetworkDriver.GetCapabilities': async () => ({ Scope: 'local', ConnectivityScope: 'local' }),
        'NetworkDriver.CreateNetwork': async (req) => {
          const id = String(req.NetworkID);
          if (networks.has(id)) throw new PluginError(`network ${id} exists already`);
          const generic = genericOptions(req);
          const { subnet, gateway } = ipv4Pool(req);
          for (const other of networks.values()) {
            if (other.subnet.cidr === subnet.cidr)
              throw new PluginError(`pool ${subnet.cidr} is in use by another network of this plugin`);
          }
          const options = {
            mtu: mtuOption(generic, 1500),
            icc: generic.icc !== 'false' && generic['com.docker.network.bridge.enable_icc'] !== 'false',
            internal: isInternal(req),
          };
          const fabric = await BridgeFabric.create(place, shortId(id), subnet, options, gateway);
          networks.set(id, { fabric, subnet, endpoints: new Map() });
          return {};
        },
        'NetworkDriver.DeleteNetwork': async (req) => {
          const n = networks.get(String(req.NetworkID));
          // deleting what is not there is done already: Docker retries deletes after a restart
          if (!n) return {};
          for (const ep of n.endpoints.values()) await dropVeth(ep);
          await n.fabric.remove();
          networks.delete(String(req.NetworkID));
          return {};
        },
        'NetworkDriver.CreateEndpoint': async (req) => {
          const n = network(req.NetworkID);
          const ep = newEndpoint(
            req,
            n.subnet,
            n.endpoints,
            'b',
            'this driver takes addresses from IPAM and assigns none itself',
          );
          n.endpoints.set(ep.id, {
            ip: ep.ip,
            mac: ep.mac,
            hostIf: ep.hostIf,
            peer: ep.peer,
            joined: false,
            published: tcpPortMap(req.Options),
          });
          return ep.reply;
        },
        'NetworkDriver.EndpointOperInfo': async (req) => {
          const ep = endpoint(network(req.NetworkID), req.EndpointID);
          return { Value: { hostInterface: ep.hostIf, joined: ep.joined, address: ep.ip } };
        },
        'NetworkDriver.DeleteEndpoint': (req) => deleteEndpoint(networks, req, (_, ep) => dropVeth(ep).then(() => {})),
        'NetworkDriver.Join': async (req) => {
          const n = network(req.NetworkID);
          const ep = endpoint(n, req.EndpointID);
          const joined = await joinEndpoint(ep, String(req.EndpointID), {
            makePair: () => n.fabric.addVethPair(ep.hostIf, ep.peer),
            dropPair: () => dropVeth(ep).then(() => {}),
            netns: place.netns,
          });
          const internal = n.fabric.options.internal;
          return { ...joined, ...(internal ? { DisableGatewayService: true } : { Gateway: n.fabric.gateway }) };
        },
        'NetworkDriver.Leave': async (req) => {
          const n = network(req.NetworkID);
          const ep = endpoint(n, req.EndpointID);
          for (const p of ep.published) await n.fabric.unpublish(ep.ip, p.port, p.hostPort);
          await dropVeth(ep);
          ep.joined = false;
          return {};
        },
        'NetworkDriver.ProgramExternalConnectivity': async (req) => {
          const n = network(req.NetworkID);
          const ep = endpoint(n, req.EndpointID);
          const ports = tcpPortMap(req.Options);
          if (ports.length) ep.published = ports;
          for (const p of ep.published) await n.fabric.publish(ep.ip, p.port, p.hostPort);
          return {};
        },
        'NetworkDriver.RevokeExternalConnectivity': async (req) => {
          const n = networks.get(String(req.NetworkID));
          const ep = n?.endpoints.get(String(req.EndpointID));
          if (n && ep) for (const p of ep.published) await n.fabric.unpublish(ep.ip, p.port, p.hostPort);
          return {};
        },
        'NetworkDriver.DiscoverNew': async () => ({}),
        'NetworkDriver.DiscoverDelete': async () => ({}),
      },
    },
    save,
  );
}
