import type { LabHost } from '../../lab/host.ts';
import type { EtcdClient } from '../../lab/kv/etcd-client.ts';
import { CommandError, mustRun, run, type CommandResult } from '../../lab/linux/command.ts';
import { addNetns, deleteNetns } from '../../lab/linux/netns.ts';
import type { StartedNetwork } from '../contract.ts';
import { Endpoint } from './endpoint.ts';
import { hostAddresses, macFromIp, parseCidr, type Subnet } from './ipam.ts';
import type { NativeSandbox } from './sandbox.ts';
import type { VniAllocator } from './vni-allocator.ts';

export const VXLAN_PORT = 4789;
const UNDERLAY_MTU = 1500;
/** VXLAN adds 50 bytes: outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
export const OVERLAY_MTU = UNDERLAY_MTU - 50;

/** What every host learns about an endpoint, through etcd. */
export interface PublishedEndpoint {
  ip: string;
  mac: string;
  host: string;
  underlay: string;
}

/**
 * ref-overlay's Network: on every host with an endpoint, a bridge plus a VXLAN device with the
 * network's VNI (no learning, ARP proxy). Endpoints are published in etcd; the driver's watch
 * programs each remote one into the FDB and neighbour table of the VXLAN device: no flooding.
 */
export class RefOverlayNetwork implements StartedNetwork {
  private readonly localHosts = new Map<string, LabHost>();
  private readonly endpoints = new Map<string, { endpoint: Endpoint; ip: string; key: string }>();
  private readonly subnetInfo: Subnet;
  private epSeq = 0;

  constructor(
    readonly name: string,
    readonly id: string,
    readonly vni: number,
    cidr: string,
    private readonly kv: EtcdClient,
    private readonly prefix: string,
    private readonly vnis: VniAllocator,
  ) {
    this.subnetInfo = parseCidr(cidr);
  }

  get subnet(): string {
    return this.subnetInfo.cidr;
  }

  get keyPrefix(): string {
    return `${this.prefix}networks/${this.id}/`;
  }

  bridgeName(): string {
    return `ob${this.vni}`;
  }

  vxlanName(): string {
    return `ov${this.vni}`;
  }

  hasHost(host: string): boolean {
    return this.localHosts.has(host);
  }

  /**
   * The network's namespace on a host: its bridge and VXLAN device live there, as Docker's overlay
   * does, away from the host's iptables (Docker's FORWARD policy is DROP and br_netfilter would
   * pass every bridged frame through it and through connection tracking).
   */
  networkNetns(host: LabHost): string {
    return `${host.name}-ov${this.vni}`;
  }

  /** The host's bridge and VXLAN device, made the first time an endpoint lands there. */
  private async ensureHost(host: LabHost): Promise<void> {
    if (this.localHosts.has(host.name)) return;
    const ns = this.networkNetns(host);
    const local = host.descriptor.underlayAddress!;
    const br = this.bridgeName();
    const vx = this.vxlanName();
    await addNetns(ns);
    this.localHosts.set(host.name, host);
    await mustRun(['ip', 'link', 'add', br, 'mtu', String(OVERLAY_MTU), 'type', 'bridge'], { netns: ns });
    // made in the host's namespace (its UDP socket stays bound to the underlay there), then moved
    const addVxlan = ['ip', 'link', 'add', vx, 'mtu', String(OVERLAY_MTU), 'type', 'vxlan', 'id', String(this.vni), 'dstport', String(VXLAN_PORT), 'local', local, 'dev', 'eth0', 'nolearning', 'proxy'];
    // a just-deleted network's device may still hold this VNI while the kernel tears its namespace down
    for (let i = 0; ; i++) {
      const r = await run(addVxlan, { netns: host.netns });
      if (r.exitCode === 0) break;
      if (i >= 30 || !/already exists/.test(r.output)) throw new CommandError(r);
      await new Promise((res) => setTimeout(res, 100));
    }
    await mustRun(['ip', 'link', 'set', vx, 'netns', ns], { netns: host.netns });
    await mustRun(['ip', 'link', 'set', vx, 'master', br, 'up'], { netns: ns });
    await mustRun(['ip', 'link', 'set', br, 'up'], { netns: ns });
    for (const kv of await this.kv.list(`${this.keyPrefix}endpoints/`)) {
      const ep = JSON.parse(kv.value) as PublishedEndpoint;
      if (ep.host !== host.name) await this.program(host, ep);
    }
  }

  /** Points the VXLAN device of `host` at a remote endpoint: FDB (MAC → host) and neighbour (IP → MAC). */
  async program(host: LabHost, ep: PublishedEndpoint): Promise<CommandResult[]> {
    const ns = this.networkNetns(host);
    return [
      await run(['bridge', 'fdb', 'replace', ep.mac, 'dev', this.vxlanName(), 'dst', ep.underlay, 'self', 'permanent'], { netns: ns }),
      await run(['ip', 'neigh', 'replace', ep.ip, 'lladdr', ep.mac, 'dev', this.vxlanName(), 'nud', 'permanent'], { netns: ns }),
    ];
  }

  async unprogram(host: LabHost, ep: PublishedEndpoint): Promise<void> {
    const ns = this.networkNetns(host);
    await run(['ip', 'neigh', 'del', ep.ip, 'dev', this.vxlanName()], { netns: ns });
    await run(['bridge', 'fdb', 'del', ep.mac, 'dev', this.vxlanName(), 'self'], { netns: ns });
  }

  /** An address no other host has handed out: claimed in etcd by compare-and-swap. */
  private async allocateAddress(owner: string): Promise<string> {
    for (const ip of hostAddresses(this.subnetInfo)) {
      if (await this.kv.createIfAbsent(`${this.keyPrefix}ipam/${ip}`, owner)) return ip;
    }
    throw new Error(`overlay ${this.name}: subnet ${this.subnet} has no free address`);
  }

  async attach(sandbox: NativeSandbox): Promise<string> {
    const host = sandbox.host;
    const ip = await this.allocateAddress(sandbox.id);
    const key = `${this.keyPrefix}endpoints/${sandbox.id}`;
    try {
      await this.ensureHost(host);
      const mac = macFromIp(ip);
      const endpoint = await Endpoint.create(this.networkNetns(host), sandbox, {
        hostIf: `o${this.vni}-${++this.epSeq}`.slice(0, 15),
        bridge: this.bridgeName(),
        ip,
        prefix: this.subnetInfo.prefix,
        mac,
        mtu: OVERLAY_MTU,
      });
      this.endpoints.set(sandbox.id, { endpoint, ip, key });
      sandbox.setAddress(this, ip);
      const published: PublishedEndpoint = { ip, mac, host: host.name, underlay: host.descriptor.underlayAddress! };
      await this.kv.put(key, JSON.stringify(published));
      return ip;
    } catch (e) {
      await this.kv.delete(`${this.keyPrefix}ipam/${ip}`);
      throw e;
    }
  }

  async detach(sandbox: NativeSandbox): Promise<void> {
    const ep = this.endpoints.get(sandbox.id);
    if (!ep) return;
    this.endpoints.delete(sandbox.id);
    await this.kv.delete(ep.key);
    await ep.endpoint.remove();
    await this.kv.delete(`${this.keyPrefix}ipam/${ep.ip}`);
    sandbox.forgetAddress(this);
  }

  async remove(): Promise<void> {
    for (const [, ep] of this.endpoints) await ep.endpoint.remove();
    this.endpoints.clear();
    // the VXLAN device goes first and explicitly: a namespace is torn down asynchronously, and until
    // then its VXLAN device still holds the VNI on the host's UDP socket, so the next network with
    // this VNI could not be made. The namespace then takes the bridge and endpoints' host ends.
    for (const host of this.localHosts.values()) {
      await run(['ip', 'link', 'delete', this.vxlanName()], { netns: this.networkNetns(host) });
      await deleteNetns(this.networkNetns(host));
    }
    this.localHosts.clear();
    await this.kv.deletePrefix(this.keyPrefix);
    await this.vnis.release(this.vni);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}
