import type { LabHost } from '../../lab/host.ts';
import { run, type CommandResult } from '../../lab/linux/command.ts';
import { addNetns, deleteNetns } from '../../lab/linux/netns.ts';
import { awaitProbeServers, startProbeServers, type ProbeServers } from '../../lab/probe-servers.ts';
import type { Sandbox, StartedNetwork } from '../contract.ts';

/**
 * CNM's Sandbox, natively: a network namespace on a lab host with the probe servers running in it.
 * `own`: a namespace of its own; `host`: the host's namespace (host mode); `shared`: another
 * sandbox's namespace (container mode).
 */
export class NativeSandbox implements Sandbox {
  private readonly addresses = new Map<string, string>();
  private removed = false;

  private constructor(
    readonly name: string,
    readonly host: LabHost,
    readonly netns: string,
    private readonly kind: 'own' | 'host' | 'shared',
    private servers: ProbeServers | undefined,
    private readonly sharesWith?: NativeSandbox,
  ) {}

  get id(): string {
    return this.netns;
  }

  get dnsName(): string {
    return this.name;
  }

  static async create(name: string, host: LabHost, kind: 'own' | 'host'): Promise<NativeSandbox> {
    const netns = kind === 'host' ? host.netns! : `${host.name}-${name}`;
    if (kind === 'own') await addNetns(netns);
    const servers = await startProbeServers(netns);
    const sandbox = new NativeSandbox(name, host, netns, kind, servers);
    try {
      await awaitProbeServers({
        where: `sandbox ${name} on ${host.name}`,
        exec: (argv, timeoutMs) => sandbox.exec(argv, timeoutMs),
        diagnose: async () => [],
        restart: async () => {
          sandbox.servers?.stop();
          sandbox.servers = await startProbeServers(netns);
        },
      });
    } catch (e) {
      await sandbox.remove();
      throw e;
    }
    return sandbox;
  }

  static join(name: string, peer: NativeSandbox): NativeSandbox {
    return new NativeSandbox(name, peer.host, peer.netns, 'shared', undefined, peer);
  }

  setAddress(network: StartedNetwork, ip: string): void {
    this.addresses.set(network.id, ip);
  }

  forgetAddress(network: StartedNetwork): void {
    this.addresses.delete(network.id);
  }

  address(network?: StartedNetwork): string | undefined {
    if (this.sharesWith) return this.sharesWith.address(network);
    if (this.kind === 'host') return this.host.descriptor.underlayAddress;
    return network ? this.addresses.get(network.id) : [...this.addresses.values()][0];
  }

  async exec(argv: string[], timeoutMs?: number, signal?: AbortSignal): Promise<CommandResult> {
    const r = await run(argv, { netns: this.netns, timeoutMs, ...(signal ? { signal } : {}) });
    return { ...r, command: `[${this.host.name} ${this.name}] ${r.command.replace(/^\[netns [^\]]+\] /, '')}` };
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    this.servers?.stop();
    // deleting the namespace ends whatever still runs in it and frees the veth ends inside
    if (this.kind === 'own') await deleteNetns(this.netns);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}
