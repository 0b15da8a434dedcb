import { mustRun, run } from '../../../lab/linux/command.ts';
import { BridgeFabric, type BridgePlace } from '../bridge-fabric.ts';
import { macFromIp, type Subnet } from '../ipam.ts';
import { endpointAddress, genericOptions, ipv4Pool, isInternal, mtuOption, shortId, tcpPortMap } from './options.ts';
import { PluginError, type PluginService } from './server.ts';

interface BridgeEndpoint {
  ip: string;
  mac: string;
  hostIf: string;
  peer: string;
  joined: boolean;
  published: { port: number; hostPort: number }[];
}

interface BridgeNet {
  fabric: BridgeFabric;
  subnet: Subnet;
  endpoints: Map<string, BridgeEndpoint>;
}

/**
 * The reference bridge served as a libnetwork NetworkDriver: the same BridgeFabric as ref-bridge,
 * with Docker making the sandbox and moving the veth end we name in Join into it.
 */
export function bridgePlugin(place: BridgePlace): PluginService {
  const networks = new Map<string, BridgeNet>();

  const network = (id: unknown): BridgeNet => {
    const n = networks.get(String(id));
    if (!n) throw new PluginError(`no network ${String(id)} on this plugin`);
    return n;
  };
  const endpoint = (n: BridgeNet, id: unknown): BridgeEndpoint => {
    const ep = n.endpoints.get(String(id));
    if (!ep) throw new PluginError(`no endpoint ${String(id)} on this network`);
    return ep;
  };
  const dropVeth = (ep: BridgeEndpoint) => run(['ip', 'link', 'delete', ep.hostIf], { netns: place.netns });

  return {
    implements: ['NetworkDriver'],
    handlers: {
      'NetworkDriver.GetCapabilities': async () => ({ Scope: 'local', ConnectivityScope: 'local' }),
      'NetworkDriver.CreateNetwork': async (req) => {
        const id = String(req.NetworkID);
        if (networks.has(id)) throw new PluginError(`network ${id} exists already`);
        const generic = genericOptions(req);
        const { subnet, gateway } = ipv4Pool(req);
        for (const other of networks.values()) {
          if (other.subnet.cidr === subnet.cidr) throw new PluginError(`pool ${subnet.cidr} is in use by another network of this plugin`);
        }
        const options = { mtu: mtuOption(generic, 1500), icc: generic.icc !== 'false' && generic['com.docker.network.bridge.enable_icc'] !== 'false', internal: isInternal(req) };
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
        const id = String(req.EndpointID);
        if (n.endpoints.has(id)) throw new PluginError(`endpoint ${id} exists already`);
        const iface = (req.Interface ?? {}) as { Address?: string; MacAddress?: string };
        const ip = endpointAddress(iface.Address, n.subnet);
        if (!ip) throw new PluginError('CreateEndpoint: no Interface.Address: this driver takes addresses from IPAM and assigns none itself');
        const mac = iface.MacAddress || macFromIp(ip);
        const short = shortId(String(req.NetworkID), id);
        n.endpoints.set(id, { ip, mac, hostIf: `vb${short}`, peer: `cb${short}`, joined: false, published: tcpPortMap(req.Options) });
        // only what Docker left empty may be filled in
        return iface.MacAddress ? {} : { Interface: { MacAddress: mac } };
      },
      'NetworkDriver.EndpointOperInfo': async (req) => {
        const ep = endpoint(network(req.NetworkID), req.EndpointID);
        return { Value: { hostInterface: ep.hostIf, joined: ep.joined, address: ep.ip } };
      },
      'NetworkDriver.DeleteEndpoint': async (req) => {
        const n = networks.get(String(req.NetworkID));
        const ep = n?.endpoints.get(String(req.EndpointID));
        if (!n || !ep) return {};
        await dropVeth(ep);
        n.endpoints.delete(String(req.EndpointID));
        return {};
      },
      'NetworkDriver.Join': async (req) => {
        // everything is checked before anything is made: a refused Join leaves nothing behind
        const n = network(req.NetworkID);
        const ep = endpoint(n, req.EndpointID);
        if (ep.joined) throw new PluginError(`endpoint ${String(req.EndpointID)} has joined a sandbox already`);
        await n.fabric.addVethPair(ep.hostIf, ep.peer);
        try {
          await mustRun(['ip', 'link', 'set', ep.peer, 'address', ep.mac], { netns: place.netns });
        } catch (e) {
          await dropVeth(ep);
          throw e;
        }
        ep.joined = true;
        const internal = n.fabric.options.internal;
        return { InterfaceName: { SrcName: ep.peer, DstPrefix: 'eth' }, ...(internal ? { DisableGatewayService: true } : { Gateway: n.fabric.gateway }) };
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
  };
}
