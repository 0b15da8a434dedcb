import type { LabHost } from '../../lab/host.ts';
import type { EtcdClient } from '../../lab/kv/etcd-client.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import type { StartedNetwork } from '../contract.ts';
import { Endpoint } from './endpoint.ts';
import { hostAddresses, macFromIp, parseCidr, type Subnet } from './ipam.ts';
import { OVERLAY_MTU, OverlayFabric, type PublishedEndpoint } from './overlay-fabric.ts';
import type { NativeSandbox } from './sandbox.ts';
import type { VniAllocator } from './vni-allocator.ts';

export { OVERLAY_MTU, VXLAN_PORT, type PublishedEndpoint } from './overlay-fabric.ts';

/**
 * ref-overlay's Network: an OverlayFabric on every host with an endpoint. Endpoints are published
 * in etcd; the driver's watch programs each remote one into the other hosts' fabrics.
 */
export class RefOverlayNetwork implements StartedNetwork {
  private readonly fabrics = new Map<string, OverlayFabric>();
  private readonly endpoints = new Map<string, { endpoint: Endpoint; ip: string; key: string }>();
  private readonly subnetInfo: Subnet;
  private epSeq = 0;
  private removed = false;

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

  hasHost(host: string): boolean {
    return this.fabrics.has(host);
  }

  /** A host's fabric being made: endpoints attached at once on one host wait for the same one. */
  private readonly making = new Map<string, Promise<OverlayFabric>>();

  /** The host's fabric, made the first time an endpoint lands there, with every remote endpoint programmed. */
  private ensureHost(host: LabHost): Promise<OverlayFabric> {
    const existing = this.fabrics.get(host.name);
    if (existing) return Promise.resolve(existing);
    let making = this.making.get(host.name);
    if (!making) {
      making = this.makeHost(host).finally(() => this.making.delete(host.name));
      this.making.set(host.name, making);
    }
    return making;
  }

  private async makeHost(host: LabHost): Promise<OverlayFabric> {
    const fabric = await OverlayFabric.create(
      { hostName: host.name, netns: host.netns!, underlayAddress: host.descriptor.underlayAddress!, uplink: 'eth0' },
      this.vni,
    );
    this.fabrics.set(host.name, fabric);
    for (const kv of await this.kv.list(`${this.keyPrefix}endpoints/`)) {
      const ep = JSON.parse(kv.value) as PublishedEndpoint;
      if (ep.host !== host.name) await fabric.program(ep);
    }
    return fabric;
  }

  async program(host: LabHost, ep: PublishedEndpoint): Promise<CommandResult[]> {
    return (await this.fabrics.get(host.name)?.program(ep)) ?? [];
  }

  async unprogram(host: LabHost, ep: PublishedEndpoint): Promise<void> {
    await this.fabrics.get(host.name)?.unprogram(ep);
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
      const fabric = await this.ensureHost(host);
      const mac = macFromIp(ip);
      const endpoint = await Endpoint.create(fabric.netns, sandbox, {
        hostIf: `o${this.vni}-${++this.epSeq}`.slice(0, 15),
        bridge: fabric.bridge,
        ip,
        prefix: this.subnetInfo.prefix,
        mac,
        mtu: OVERLAY_MTU,
      });
      this.endpoints.set(sandbox.id, { endpoint, ip, key });
      sandbox.setAddress(this, ip);
      const published: PublishedEndpoint = { ip, mac, host: host.name, underlay: host.descriptor.underlayAddress! };
      await this.kv.put(key, JSON.stringify(published));
      // the hosts already on the network learn the endpoint before attach returns, as Docker's
      // Join does: the etcd watch would program them too, but only eventually (under load, after
      // the first probes had timed out); `replace` makes the watch's second programming harmless
      for (const [name, fabric] of this.fabrics) if (name !== host.name) await fabric.program(published);
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
    const gone: PublishedEndpoint = {
      ip: ep.ip,
      mac: macFromIp(ep.ip),
      host: sandbox.host.name,
      underlay: sandbox.host.descriptor.underlayAddress!,
    };
    for (const [name, fabric] of this.fabrics) if (name !== sandbox.host.name) await fabric.unprogram(gone);
    await ep.endpoint.remove();
    await this.kv.delete(`${this.keyPrefix}ipam/${ep.ip}`);
    sandbox.forgetAddress(this);
  }

  async remove(): Promise<void> {
    // removed twice (by a check, then by its cleanup): the second time there is nothing of it left
    if (this.removed) return;
    this.removed = true;
    for (const [, ep] of this.endpoints) await ep.endpoint.remove();
    this.endpoints.clear();
    for (const fabric of this.fabrics.values()) await fabric.remove();
    this.fabrics.clear();
    await this.kv.deletePrefix(this.keyPrefix);
    await this.vnis.release(this.vni, this.id);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}
