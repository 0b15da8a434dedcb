import { mustRun, run } from '../../lab/linux/command.ts';
import { OwnChain } from '../../lab/linux/iptables.ts';
import { gatewayOf, type Subnet } from './ipam.ts';

export interface BridgeOptions {
  internal: boolean;
  icc: boolean;
  mtu: number;
}

/**
 * Where a bridge lives: a namespace (undefined = the current one), its uplink and the address ports are published on.
 */
export interface BridgePlace {
  netns: string | undefined;
  uplink: string;
  publishAddress?: string;
}

/**
 * The host side of a reference bridge network, shared by the native driver and the plugin: a Linux
 * bridge with the gateway address, and iptables chains of its own — forwarding (ICC, egress,
 * isolation from every other network, published ports) and NAT (masquerade, DNAT, hairpin).
 */
export class BridgeFabric {
  private readonly forward: OwnChain;
  private readonly postrouting: OwnChain;
  private readonly dnat: OwnChain;

  private constructor(
    readonly place: BridgePlace,
    readonly id: string,
    readonly subnet: Subnet,
    readonly gateway: string,
    readonly bridge: string,
    readonly options: BridgeOptions,
  ) {
    this.forward = new OwnChain(place.netns, 'filter', `CNMH-${id}-F`, ['FORWARD']);
    this.postrouting = new OwnChain(place.netns, 'nat', `CNMH-${id}-P`, ['POSTROUTING']);
    this.dnat = new OwnChain(place.netns, 'nat', `CNMH-${id}-D`, ['PREROUTING', 'OUTPUT']);
  }

  /**
   * The fabric a crashed plugin made, taken over as it is (its bridge, addresses and chains stay):
   * or made again if the bridge is gone (the host restarted meanwhile).
   */
  static async adopt(
    place: BridgePlace,
    id: string,
    subnet: Subnet,
    options: BridgeOptions,
    gateway: string,
  ): Promise<BridgeFabric> {
    const present = await run(['ip', 'link', 'show', `br-${id}`], { netns: place.netns });
    if (present.exitCode !== 0) return BridgeFabric.create(place, id, subnet, options, gateway);
    return new BridgeFabric(place, id, subnet, gateway, `br-${id}`, options);
  }

  /** `id` names the bridge and chains: unique on the host, short enough for a link name (≤ 12 characters). */
  static async create(
    place: BridgePlace,
    id: string,
    subnet: Subnet,
    options: BridgeOptions,
    gateway = gatewayOf(subnet),
  ): Promise<BridgeFabric> {
    const fabric = new BridgeFabric(place, id, subnet, gateway, `br-${id}`, options);
    const ns = place.netns;
    const br = fabric.bridge;
    try {
      await mustRun(['ip', 'link', 'add', br, 'mtu', String(options.mtu), 'type', 'bridge'], { netns: ns });
      await mustRun(['ip', 'addr', 'add', `${gateway}/${subnet.prefix}`, 'dev', br], { netns: ns });
      await mustRun(['ip', 'link', 'set', br, 'up'], { netns: ns });
      // set only when it is off: where /proc/sys is read-only (a managed plugin) the engine has set it already
      const forwarding = await run(['sysctl', '-n', 'net.ipv4.ip_forward'], { netns: ns });
      if (forwarding.output.trim() !== '1') await mustRun(['sysctl', '-qw', 'net.ipv4.ip_forward=1'], { netns: ns });
      await fabric.forward.create([
        ['-i', br, '-o', br, '-j', options.icc ? 'ACCEPT' : 'DROP'],
        ['-o', br, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
        ...(options.internal ? [] : [['-i', br, '-o', place.uplink, '-j', 'ACCEPT']]),
        // isolation: nothing else in or out of this network
        ['-i', br, '-j', 'DROP'],
        ['-o', br, '-j', 'DROP'],
      ]);
      await fabric.postrouting.create(options.internal ? [] : [['-s', subnet.cidr, '!', '-o', br, '-j', 'MASQUERADE']]);
      await fabric.dnat.create([]);
    } catch (e) {
      await fabric.remove();
      throw e;
    }
    return fabric;
  }

  /**
   * Makes a veth pair in the bridge's namespace, `hostIf` enslaved to the bridge; `peer` stays for the caller to move.
   */
  async addVethPair(hostIf: string, peer: string, mtu = this.options.mtu): Promise<void> {
    const ns = this.place.netns;
    await mustRun(
      ['ip', 'link', 'add', hostIf, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', peer, 'mtu', String(mtu)],
      { netns: ns },
    );
    try {
      await mustRun(['ip', 'link', 'set', hostIf, 'master', this.bridge, 'up'], { netns: ns });
    } catch (e) {
      await run(['ip', 'link', 'delete', hostIf], { netns: ns });
      throw e;
    }
  }

  /**
   * The rules that publish TCP `port` of the endpoint at `ip` as `hostPort` on the host's address:
   * DNAT, the forward accept, and the hairpin masquerade (a peer on this bridge reaching the published
   * port must see replies come back through the host). Publishing inserts them; unpublishing deletes
   * the same specs.
   */
  private publishRules(hostAddress: string, ip: string, port: number, hostPort: number): [OwnChain, string[]][] {
    const tcp = ['-p', 'tcp', '--dport'];
    const to = `${ip}/32`;
    return [
      [
        this.dnat,
        ['-d', `${hostAddress}/32`, ...tcp, String(hostPort), '-j', 'DNAT', '--to-destination', `${ip}:${port}`],
      ],
      [this.forward, ['-o', this.bridge, '-d', to, ...tcp, String(port), '-j', 'ACCEPT']],
      [
        this.postrouting,
        ['-s', this.subnet.cidr, '-d', to, '-o', this.bridge, ...tcp, String(port), '-j', 'MASQUERADE'],
      ],
    ];
  }

  /** Publishes TCP `port` of the endpoint at `ip` as `hostPort` on the host's address, hairpin included. */
  async publish(ip: string, port: number, hostPort: number): Promise<void> {
    const hostAddress = this.place.publishAddress;
    if (!hostAddress) throw new Error('cannot publish a port: the host has no address to publish it on');
    for (const [chain, rule] of this.publishRules(hostAddress, ip, port, hostPort)) await chain.insert(rule);
  }

  /** Takes back what `publish` added for the endpoint at `ip` (rules are deleted by their exact spec). */
  async unpublish(ip: string, port: number, hostPort: number): Promise<void> {
    const hostAddress = this.place.publishAddress;
    if (!hostAddress) return;
    for (const [chain, rule] of this.publishRules(hostAddress, ip, port, hostPort)) await chain.delete(rule);
  }

  async remove(): Promise<void> {
    await this.dnat.remove();
    await this.postrouting.remove();
    await this.forward.remove();
    await run(['ip', 'link', 'delete', this.bridge], { netns: this.place.netns });
  }
}
