import type { LabHost } from '../../lab/host.ts';
import { mustRun, run } from '../../lab/linux/command.ts';
import { OwnChain } from '../../lab/linux/iptables.ts';
import type { StartedNetwork } from '../contract.ts';
import { Endpoint } from './endpoint.ts';
import { gatewayOf, macFromIp, parseCidr, SubnetAllocator, type Subnet } from './ipam.ts';
import type { NativeSandbox } from './sandbox.ts';

export interface BridgeOptions {
  internal: boolean;
  icc: boolean;
  mtu: number;
}

/** The underlay interface of a netns lab host: where egress leaves and published ports arrive. */
const UPLINK = 'eth0';

/**
 * ref-bridge's Network: a Linux bridge in the host's namespace with the gateway address on it, a
 * veth per endpoint, and iptables rules in chains of its own: forwarding (ICC, egress, isolation
 * from every other network, published ports) and NAT (masquerade, DNAT, hairpin).
 */
export class RefBridgeNetwork implements StartedNetwork {
  private readonly allocator: SubnetAllocator;
  private readonly endpoints = new Map<string, { endpoint: Endpoint; ip: string }>();
  private readonly forward: OwnChain;
  private readonly postrouting: OwnChain;
  private readonly dnat: OwnChain;
  private epSeq = 0;

  private constructor(
    readonly name: string,
    readonly id: string,
    readonly host: LabHost,
    private readonly subnetInfo: Subnet,
    readonly bridge: string,
    readonly options: BridgeOptions,
  ) {
    this.allocator = new SubnetAllocator(subnetInfo);
    const netns = host.netns!;
    this.forward = new OwnChain(netns, 'filter', `CNMH-${id}-F`, ['FORWARD']);
    this.postrouting = new OwnChain(netns, 'nat', `CNMH-${id}-P`, ['POSTROUTING']);
    this.dnat = new OwnChain(netns, 'nat', `CNMH-${id}-D`, ['PREROUTING', 'OUTPUT']);
  }

  get subnet(): string {
    return this.subnetInfo.cidr;
  }

  get gateway(): string {
    return gatewayOf(this.subnetInfo);
  }

  /** `id` names the bridge and chains: unique on the host, short enough for a link name. */
  static async create(host: LabHost, name: string, id: string, cidr: string, options: BridgeOptions): Promise<RefBridgeNetwork> {
    const net = new RefBridgeNetwork(name, id, host, parseCidr(cidr), `br-${id}`, options);
    const ns = host.netns!;
    try {
      await mustRun(['ip', 'link', 'add', net.bridge, 'mtu', String(options.mtu), 'type', 'bridge'], { netns: ns });
      await mustRun(['ip', 'addr', 'add', `${net.gateway}/${net.subnetInfo.prefix}`, 'dev', net.bridge], { netns: ns });
      await mustRun(['ip', 'link', 'set', net.bridge, 'up'], { netns: ns });
      await mustRun(['sysctl', '-qw', 'net.ipv4.ip_forward=1'], { netns: ns });
      const br = net.bridge;
      await net.forward.create([
        ['-i', br, '-o', br, '-j', options.icc ? 'ACCEPT' : 'DROP'],
        ['-o', br, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
        ...(options.internal ? [] : [['-i', br, '-o', UPLINK, '-j', 'ACCEPT']]),
        // isolation: nothing else in or out of this network
        ['-i', br, '-j', 'DROP'],
        ['-o', br, '-j', 'DROP'],
      ]);
      await net.postrouting.create(options.internal ? [] : [['-s', net.subnet, '!', '-o', br, '-j', 'MASQUERADE']]);
      await net.dnat.create([]);
    } catch (e) {
      await net.remove();
      throw e;
    }
    return net;
  }

  async attach(sandbox: NativeSandbox): Promise<string> {
    const ip = this.allocator.allocate();
    try {
      const endpoint = await Endpoint.create(this.host.netns!, sandbox, {
        hostIf: `v${this.id}-${++this.epSeq}`.slice(0, 15),
        bridge: this.bridge,
        ip,
        prefix: this.subnetInfo.prefix,
        mac: macFromIp(ip),
        mtu: this.options.mtu,
        ...(this.options.internal ? {} : { gateway: this.gateway }),
      });
      this.endpoints.set(sandbox.id, { endpoint, ip });
      sandbox.setAddress(this, ip);
      return ip;
    } catch (e) {
      this.allocator.release(ip);
      throw e;
    }
  }

  async detach(sandbox: NativeSandbox): Promise<void> {
    const ep = this.endpoints.get(sandbox.id);
    if (!ep) return;
    this.endpoints.delete(sandbox.id);
    await ep.endpoint.remove();
    this.allocator.release(ep.ip);
    sandbox.forgetAddress(this);
  }

  /** Publishes `sandbox`'s TCP `port` on the host's underlay address as `hostPort`, hairpin included. */
  async publish(sandbox: NativeSandbox, port: number, hostPort: number): Promise<void> {
    const ip = this.endpoints.get(sandbox.id)?.ip;
    const hostAddress = this.host.descriptor.underlayAddress;
    if (!ip || !hostAddress) throw new Error(`cannot publish: ${sandbox.name} is not on ${this.name}, or the host has no underlay address`);
    const tcp = ['-p', 'tcp'];
    await this.dnat.insert(['-d', `${hostAddress}/32`, ...tcp, '--dport', String(hostPort), '-j', 'DNAT', '--to-destination', `${ip}:${port}`]);
    await this.forward.insert(['-o', this.bridge, '-d', `${ip}/32`, ...tcp, '--dport', String(port), '-j', 'ACCEPT']);
    // hairpin: a peer on this bridge reaching the published port must see replies come back through the host
    await this.postrouting.insert(['-s', this.subnet, '-d', `${ip}/32`, '-o', this.bridge, ...tcp, '--dport', String(port), '-j', 'MASQUERADE']);
  }

  async remove(): Promise<void> {
    for (const [, ep] of this.endpoints) await ep.endpoint.remove();
    this.endpoints.clear();
    await this.dnat.remove();
    await this.postrouting.remove();
    await this.forward.remove();
    await run(['ip', 'link', 'delete', this.bridge], { netns: this.host.netns });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}
