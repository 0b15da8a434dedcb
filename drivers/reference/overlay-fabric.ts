import { CommandError, mustRun, run, type CommandResult } from '../../lab/linux/command.ts';
import { OwnChain } from '../../lab/linux/iptables.ts';
import { addNetns, deleteNetns } from '../../lab/linux/netns.ts';

export const VXLAN_PORT = 4789;
const UNDERLAY_MTU = 1500;
/** VXLAN adds 50 bytes: outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
export const OVERLAY_MTU = UNDERLAY_MTU - 50;

const BRIDGE_NF_CALLS = ['bridge-nf-call-iptables', 'bridge-nf-call-ip6tables', 'bridge-nf-call-arptables'];

/** What every host learns about an endpoint, through etcd. */
export interface PublishedEndpoint {
  ip: string;
  mac: string;
  host: string;
  underlay: string;
}

/** A host as the overlay sees it: its name, namespace (undefined = the current one) and underlay. */
export interface OverlayPlace {
  hostName: string;
  netns: string | undefined;
  underlayAddress: string;
  uplink: string;
}

/**
 * One overlay network on one host, shared by the native driver and the plugin: a namespace of its
 * own (as Docker's overlay has: away from the host's iptables and br_netfilter) holding a bridge
 * and a VXLAN device with the network's VNI (no learning, ARP proxy). Remote endpoints are
 * programmed into its FDB and neighbour table: no flooding.
 */
export class OverlayFabric {
  /** The host's raw table: this network's VXLAN packets skip connection tracking. */
  private readonly untracked: OwnChain;

  private constructor(
    readonly place: OverlayPlace,
    readonly vni: number,
  ) {
    this.untracked = new OwnChain(place.netns, 'raw', `CNMH-OV${vni}`, ['PREROUTING', 'OUTPUT']);
  }

  /** The network's namespace on the host (`<host>-ov<vni>`: the VXLAN checks find it by this name). */
  get netns(): string {
    return `${this.place.hostName}-ov${this.vni}`;
  }

  get bridge(): string {
    return `ob${this.vni}`;
  }

  get vxlan(): string {
    return `ov${this.vni}`;
  }

  /** The fabric a crashed plugin made, taken over as it is; or made again if its namespace is gone. */
  static async adopt(place: OverlayPlace, vni: number): Promise<OverlayFabric> {
    const fabric = new OverlayFabric(place, vni);
    const present = await run(['ip', 'link', 'show', fabric.vxlan], { netns: fabric.netns });
    return present.exitCode === 0 ? fabric : OverlayFabric.create(place, vni);
  }

  static async create(place: OverlayPlace, vni: number): Promise<OverlayFabric> {
    const fabric = new OverlayFabric(place, vni);
    const ns = fabric.netns;
    await addNetns(ns);
    try {
      // nothing here filters: br_netfilter would hand every bridged frame to this namespace's
      // (empty) iptables all the same — about 4% of overlay throughput on this machine
      await mustRun(['sysctl', '-qw', ...BRIDGE_NF_CALLS.map((k) => `net.bridge.${k}=0`)], { netns: ns });
      await mustRun(['ip', 'link', 'add', fabric.bridge, 'mtu', String(OVERLAY_MTU), 'type', 'bridge'], { netns: ns });
      // made in the host's namespace (its UDP socket stays bound to the underlay there), then moved
      const addVxlan = [
        'ip',
        'link',
        'add',
        fabric.vxlan,
        'mtu',
        String(OVERLAY_MTU),
        'type',
        'vxlan',
        'id',
        String(vni),
        'dstport',
        String(VXLAN_PORT),
        'local',
        place.underlayAddress,
        'dev',
        place.uplink,
        'nolearning',
        'proxy',
      ];
      // a just-deleted network's device may still hold this VNI while the kernel tears its namespace down
      for (let i = 0; ; i++) {
        const r = await run(addVxlan, { netns: place.netns });
        if (r.exitCode === 0) break;
        if (i >= 30 || !/already exists/.test(r.output)) throw new CommandError(r);
        await new Promise((res) => setTimeout(res, 100));
      }
      await mustRun(['ip', 'link', 'set', fabric.vxlan, 'netns', ns], { netns: place.netns });
      await mustRun(['ip', 'link', 'set', fabric.vxlan, 'master', fabric.bridge, 'up'], { netns: ns });
      await mustRun(['ip', 'link', 'set', fabric.bridge, 'up'], { netns: ns });
      // A host with NAT anywhere (any Docker host) tracks every UDP flow, and each VXLAN flow gets
      // an entry that nothing ever uses: about 6% of overlay throughput here. Only this network's
      // VNI is exempted (u32 reads it from the VXLAN header), so other tunnels on port 4789 — Docker's
      // own overlay — are left as they are.
      await fabric.untracked.create([
        ['-p', 'udp', '--dport', String(VXLAN_PORT), '-m', 'u32', '--u32', `0>>22&0x3C@12>>8=${vni}`, '-j', 'NOTRACK'],
      ]);
    } catch (e) {
      await fabric.remove();
      throw e;
    }
    return fabric;
  }

  /** Points the VXLAN device at a remote endpoint: FDB (MAC → host) and neighbour (IP → MAC). */
  async program(ep: PublishedEndpoint): Promise<CommandResult[]> {
    return [
      await run(['bridge', 'fdb', 'replace', ep.mac, 'dev', this.vxlan, 'dst', ep.underlay, 'self', 'permanent'], {
        netns: this.netns,
      }),
      await run(['ip', 'neigh', 'replace', ep.ip, 'lladdr', ep.mac, 'dev', this.vxlan, 'nud', 'permanent'], {
        netns: this.netns,
      }),
    ];
  }

  async unprogram(ep: PublishedEndpoint): Promise<void> {
    await run(['ip', 'neigh', 'del', ep.ip, 'dev', this.vxlan], { netns: this.netns });
    await run(['bridge', 'fdb', 'del', ep.mac, 'dev', this.vxlan, 'self'], { netns: this.netns });
  }

  /**
   * A veth pair for an endpoint: made in the host's namespace, `hostIf` moved into the network's
   * namespace and enslaved to its bridge; `peer` stays in the host's namespace for the caller.
   */
  async addVethPair(hostIf: string, peer: string): Promise<void> {
    const host = this.place.netns;
    await mustRun(
      [
        'ip',
        'link',
        'add',
        hostIf,
        'mtu',
        String(OVERLAY_MTU),
        'type',
        'veth',
        'peer',
        'name',
        peer,
        'mtu',
        String(OVERLAY_MTU),
      ],
      { netns: host },
    );
    try {
      await mustRun(['ip', 'link', 'set', hostIf, 'netns', this.netns], { netns: host });
      await mustRun(['ip', 'link', 'set', hostIf, 'master', this.bridge, 'up'], { netns: this.netns });
    } catch (e) {
      await run(['ip', 'link', 'delete', hostIf], { netns: host });
      await run(['ip', 'link', 'delete', hostIf], { netns: this.netns });
      throw e;
    }
  }

  async remove(): Promise<void> {
    // the VXLAN device goes first and explicitly: a namespace is torn down asynchronously, and until
    // then its VXLAN device still holds the VNI on the host's UDP socket, so the next network with
    // this VNI could not be made. The namespace then takes the bridge and endpoints' host ends.
    await run(['ip', 'link', 'delete', this.vxlan], { netns: this.netns });
    await this.untracked.remove();
    await deleteNetns(this.netns);
  }
}
