import type { LabHost } from '../../lab/host.ts';
import type { StartedNetwork } from '../contract.ts';
import { BridgeFabric, type BridgeOptions } from './bridge-fabric.ts';
import { Endpoint } from './endpoint.ts';
import { macFromIp, parseCidr, SubnetAllocator } from './ipam.ts';
import type { NativeSandbox } from './sandbox.ts';

export type { BridgeOptions } from './bridge-fabric.ts';

/** The underlay interface of a netns lab host: where egress leaves and published ports arrive. */
export const UPLINK = 'eth0';

/** ref-bridge's Network: a BridgeFabric on a lab host, with a veth per native sandbox. */
export class RefBridgeNetwork implements StartedNetwork {
  private readonly allocator: SubnetAllocator;
  private readonly endpoints = new Map<string, { endpoint: Endpoint; ip: string }>();
  private epSeq = 0;

  private constructor(
    readonly name: string,
    readonly id: string,
    readonly host: LabHost,
    private readonly fabric: BridgeFabric,
  ) {
    this.allocator = new SubnetAllocator(fabric.subnet);
  }

  get subnet(): string {
    return this.fabric.subnet.cidr;
  }

  get gateway(): string {
    return this.fabric.gateway;
  }

  get bridge(): string {
    return this.fabric.bridge;
  }

  /** `id` names the bridge and chains: unique on the host, short enough for a link name. */
  static async create(
    host: LabHost,
    name: string,
    id: string,
    cidr: string,
    options: BridgeOptions,
  ): Promise<RefBridgeNetwork> {
    const place = { netns: host.netns!, uplink: UPLINK, publishAddress: host.descriptor.underlayAddress };
    return new RefBridgeNetwork(name, id, host, await BridgeFabric.create(place, id, parseCidr(cidr), options));
  }

  async attach(sandbox: NativeSandbox): Promise<string> {
    const ip = this.allocator.allocate();
    const options = this.fabric.options;
    try {
      const endpoint = await Endpoint.create(this.host.netns!, sandbox, {
        hostIf: `v${this.id}-${++this.epSeq}`.slice(0, 15),
        bridge: this.bridge,
        ip,
        prefix: this.fabric.subnet.prefix,
        mac: macFromIp(ip),
        mtu: options.mtu,
        ...(options.internal ? {} : { gateway: this.gateway }),
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
    if (!ip) throw new Error(`cannot publish: ${sandbox.name} is not on ${this.name}`);
    await this.fabric.publish(ip, port, hostPort);
  }

  async remove(): Promise<void> {
    for (const [, ep] of this.endpoints) await ep.endpoint.remove();
    this.endpoints.clear();
    await this.fabric.remove();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}
