import { randomBytes } from 'node:crypto';
import type { RemotePluginTarget } from '../../drivers/contract.ts';
import { describeExchange, PluginClient, type Exchange } from '../../drivers/remote/plugin-client.ts';
import { canonicalize, errorOf, problemsOf, schemaFor, type Call } from '../../drivers/remote/protocol.ts';
import { netnsPath } from '../../lab/linux/command.ts';
import { addNetns, deleteNetns } from '../../lab/linux/netns.ts';
import { runNames } from '../../lab/run-id.ts';
import type { CheckContext } from '../framework/context.ts';
import { kvFootprint, namespaceFootprint } from '../framework/footprint.ts';

/** How long a plugin may take to answer one call before it counts as hung. */
export const CALL_BOUND_MS = 5_000;

/**
 * How long a step of a lifecycle (CreateNetwork … DeleteNetwork, the set-up of most protocol checks)
 * may take. These checks judge something else (a reply's shape, an idempotent delete, a leftover),
 * and a plugin answering them slowly on a loaded machine — its calls queued behind another check's —
 * has not broken that; answering in bounded time is what unknown-ids, malformed-requests and fuzz
 * judge, at CALL_BOUND_MS.
 */
export const LIFECYCLE_CALL_BOUND_MS = 20_000;

export interface TestNetwork {
  id: string;
  pool: string;
  gateway: string;
  /** The n-th host address of the pool. */
  address(n: number): string;
}

export interface TestEndpoint {
  network: TestNetwork;
  id: string;
  /** CIDR, as Docker sends it. */
  address: string;
  mac: string;
}

let poolSeq = Math.floor(Math.random() * 200);

/** Whether an exchange is a success: HTTP 200, JSON, no error field. */
export function succeeded(e: Exchange): boolean {
  return !e.failure && e.status === 200 && e.body !== undefined && errorOf(e.body) === undefined;
}

/** Whether an exchange is a proper refusal: an answer (any status) that says it failed. */
export function refused(e: Exchange): boolean {
  return !e.failure && (e.status !== 200 || errorOf(e.body) !== undefined);
}

/**
 * A protocol check's conversation with a plugin: every exchange goes into the evidence, and what
 * the check created (networks, endpoints, sandbox namespaces) is deleted when the check ends.
 */
export class ProtocolSession implements AsyncDisposable {
  readonly client: PluginClient;
  readonly exchanges: Exchange[] = [];
  private readonly networks = new Set<string>();
  private readonly endpoints = new Map<string, string>();
  private readonly joined = new Map<string, string>();
  private readonly sandboxes: string[] = [];
  /** Whether exchanges go into the check's evidence (a check repeating itself turns it off). */
  recording = true;

  constructor(
    readonly ctx: CheckContext,
    readonly target: RemotePluginTarget,
  ) {
    this.client = new PluginClient(target.address, CALL_BOUND_MS);
  }

  static for(ctx: CheckContext): ProtocolSession {
    const target = ctx.driver.remotePlugin;
    if (!target) throw new Error(`${ctx.driver.driver.id} declares a remote plugin but exposes none to talk to`);
    return ctx.use(new ProtocolSession(ctx, target));
  }

  /** Sends one call and records it as evidence (exit 0 for a success, 1 otherwise). */
  async send(
    call: Call | (string & {}),
    body: object | string = {},
    record = this.recording,
    timeoutMs = CALL_BOUND_MS,
  ): Promise<Exchange> {
    const e = await this.client.call(call, body, timeoutMs);
    this.exchanges.push(e);
    if (record)
      this.ctx.evidence.push({
        host: `plugin ${this.target.name}`,
        command: `POST /${call} ${e.sent}`,
        exitCode: succeeded(e) ? 0 : 1,
        output: describeExchange(e),
      });
    return e;
  }

  /** A lifecycle step: sent and recorded as any call, bounded by LIFECYCLE_CALL_BOUND_MS. */
  private step(call: Call, body: object): Promise<Exchange> {
    return this.send(call, body, this.recording, LIFECYCLE_CALL_BOUND_MS);
  }

  /** Activate first where the plugin expects it (legacy plugins), as Docker does. */
  async activate(): Promise<Exchange | undefined> {
    return this.target.activate ? this.send('Plugin.Activate') : undefined;
  }

  newId(): string {
    return randomBytes(32).toString('hex');
  }

  /** A fresh /24 no other check of this process is using; gateway .1. */
  newPool(): { pool: string; gateway: string; address(n: number): string } {
    const third = poolSeq++ % 250;
    const base = `10.205.${third}`;
    return { pool: `${base}.0/24`, gateway: `${base}.1`, address: (n) => `${base}.${n + 1}` };
  }

  async createNetwork(
    generic: Record<string, string> = {},
    extra: Record<string, unknown> = {},
  ): Promise<{ exchange: Exchange; network: TestNetwork }> {
    const id = this.newId();
    const p = this.newPool();
    this.networks.add(id);
    const exchange = await this.step('NetworkDriver.CreateNetwork', {
      NetworkID: id,
      Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': generic },
      IPv4Data: [{ AddressSpace: 'LocalDefault', Pool: p.pool, Gateway: `${p.gateway}/24` }],
      IPv6Data: [],
      ...extra,
    });
    return { exchange, network: { id, ...p } };
  }

  async createEndpoint(
    network: TestNetwork,
    n: number,
    withMac = false,
  ): Promise<{ exchange: Exchange; endpoint: TestEndpoint }> {
    const id = this.newId();
    const address = `${network.address(n)}/24`;
    const mac = withMac
      ? `02:42:0a:cd:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`
      : '';
    this.endpoints.set(id, network.id);
    const exchange = await this.step('NetworkDriver.CreateEndpoint', {
      NetworkID: network.id,
      EndpointID: id,
      Interface: { Address: address, AddressIPv6: '', MacAddress: mac },
      Options: {},
    });
    return { exchange, endpoint: { network, id, address, mac } };
  }

  /** A real, empty network namespace to pass as Join's SandboxKey, as Docker makes one per container. */
  async sandboxKey(): Promise<{ netns: string; key: string }> {
    const netns = runNames(this.ctx.lab.runId).netns(
      `psb${this.sandboxes.length + 1}${randomBytes(2).toString('hex')}`,
    );
    await addNetns(netns);
    this.sandboxes.push(netns);
    return { netns, key: netnsPath(netns) };
  }

  async join(endpoint: TestEndpoint, sandboxKey: string): Promise<Exchange> {
    this.joined.set(endpoint.id, endpoint.network.id);
    return this.step('NetworkDriver.Join', {
      NetworkID: endpoint.network.id,
      EndpointID: endpoint.id,
      SandboxKey: sandboxKey,
      Options: {},
    });
  }

  async leave(endpoint: TestEndpoint): Promise<Exchange> {
    this.joined.delete(endpoint.id);
    return this.step('NetworkDriver.Leave', { NetworkID: endpoint.network.id, EndpointID: endpoint.id });
  }

  async deleteEndpoint(endpoint: TestEndpoint): Promise<Exchange> {
    this.endpoints.delete(endpoint.id);
    return this.step('NetworkDriver.DeleteEndpoint', { NetworkID: endpoint.network.id, EndpointID: endpoint.id });
  }

  async deleteNetwork(network: TestNetwork): Promise<Exchange> {
    this.networks.delete(network.id);
    return this.step('NetworkDriver.DeleteNetwork', { NetworkID: network.id });
  }

  /** Links, iptables rules and namespaces where the plugin works, plus the lab's KV keys. */
  async footprint(): Promise<string[]> {
    const prefix = this.target.host ? `${this.target.host.name}-` : '';
    return [...(await namespaceFootprint(this.target.netns, prefix)), ...(await kvFootprint(this.ctx))];
  }

  /** The reply's schema problems (after matching field names case-insensitively, as Docker does). */
  static replyProblems(call: Call, e: Exchange): string[] {
    if (e.failure) return [`no reply: ${e.failure}${e.detail ? ` (${e.detail})` : ''}`];
    if (e.body === undefined) return [`the reply is not JSON: ${JSON.stringify(e.text.slice(0, 120))}`];
    if (!succeeded(e))
      return problemsOf(
        call.startsWith('IpamDriver.') ? 'IpamError' : 'Error',
        'response',
        canonicalize(e.body, schemaFor('Error', 'response')),
      );
    return schemaFor(call, 'response')
      ? problemsOf(call, 'response', canonicalize(e.body, schemaFor(call, 'response')))
      : [];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const [ep, net] of this.joined)
      await this.send('NetworkDriver.Leave', { NetworkID: net, EndpointID: ep }, false);
    for (const [ep, net] of this.endpoints)
      await this.send('NetworkDriver.DeleteEndpoint', { NetworkID: net, EndpointID: ep }, false);
    for (const net of this.networks) await this.send('NetworkDriver.DeleteNetwork', { NetworkID: net }, false);
    for (const ns of this.sandboxes) await deleteNetns(ns);
  }
}
