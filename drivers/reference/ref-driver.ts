import type { StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import type { Driver, Mode, NetworkSpec, Sandbox, SandboxSpec, StartedDriver, StartedNetwork } from '../contract.ts';
import { RefBridgeNetwork } from './bridge-network.ts';
import { ModeNetwork } from './mode-networks.ts';
import { NativeSandbox } from './sandbox.ts';

/** A reference network that endpoints can join and leave. */
export interface AttachableNetwork extends StartedNetwork {
  attach(sandbox: NativeSandbox): Promise<string>;
  detach(sandbox: NativeSandbox): Promise<void>;
  publish?(sandbox: NativeSandbox, port: number, hostPort: number): Promise<void>;
}

export type NetworkFactory = (driver: RefStartedDriver, spec: NetworkSpec, seq: number) => Promise<AttachableNetwork>;

// bridge and chain names must be unique on a host across every driver instance of a process
let networkSeq = 0;
let sandboxSeq = 0;

/** The reference CNM driving native sandboxes (network namespaces) on the lab's netns hosts. */
export class RefStartedDriver implements StartedDriver {
  readonly setupEvidence: CommandResult[] = [];
  private readonly sandboxes = new Map<string, NativeSandbox>();
  private readonly networks: StartedNetwork[] = [];

  constructor(
    readonly driver: Driver,
    readonly lab: StartedLab,
    private readonly mode: Mode,
    private readonly networkFactory?: NetworkFactory,
    private readonly teardown: () => Promise<void> = async () => undefined,
  ) {}

  async createNetwork(spec: NetworkSpec): Promise<StartedNetwork> {
    if (this.mode === 'none' || this.mode === 'host') return new ModeNetwork(this.mode);
    const network = await this.networkFactory!(this, spec, ++networkSeq);
    this.networks.push(network);
    return network;
  }

  async createSandbox(spec: SandboxSpec): Promise<Sandbox> {
    let sandbox: NativeSandbox;
    if (spec.shareWith) {
      const peer = this.sandboxes.get(spec.shareWith.id);
      if (!peer) throw new Error(`cannot join sandbox ${spec.shareWith.id}: no such sandbox on ${spec.host.name}`);
      sandbox = NativeSandbox.join(spec.name, peer);
    } else {
      const kind = this.mode === 'host' ? 'host' : 'own';
      sandbox = await NativeSandbox.create(`${spec.name}${++sandboxSeq}`, spec.host, kind);
      const network = spec.network;
      if (network && !(network instanceof ModeNetwork)) {
        try {
          await (network as AttachableNetwork).attach(sandbox);
          for (const p of spec.publish ?? [])
            await (network as AttachableNetwork).publish!(sandbox, p.port, p.hostPort);
        } catch (e) {
          await sandbox.remove();
          throw e;
        }
      }
    }
    this.sandboxes.set(sandbox.id, sandbox);
    return sandbox;
  }

  async connect(sandbox: Sandbox, network: StartedNetwork): Promise<void> {
    await (network as AttachableNetwork).attach(this.native(sandbox));
  }

  async disconnect(sandbox: Sandbox, network: StartedNetwork): Promise<void> {
    await (network as AttachableNetwork).detach(this.native(sandbox));
  }

  private native(sandbox: Sandbox): NativeSandbox {
    const s = this.sandboxes.get(sandbox.id);
    if (!s) throw new Error(`sandbox ${sandbox.name} does not belong to ${this.driver.id}`);
    return s;
  }

  async stop(): Promise<void> {
    for (const s of [...this.sandboxes.values()].reverse()) await s.remove();
    this.sandboxes.clear();
    for (const n of this.networks.splice(0).reverse()) await n.remove().catch(() => undefined);
    await this.teardown();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

export const NEEDS_NETNS_LAB = (lab: StartedLab): string | undefined =>
  lab.kind !== 'netns'
    ? "the reference drivers build on the netns lab's hosts (they never touch the machine's own namespace)"
    : undefined;

/** ref-bridge's networks: 10.201.<seq>.0/24 per network, options `mtu`, `icc`, internal. */
export const bridgeNetworks: NetworkFactory = (driver, spec, seq) => {
  const host = spec.host ?? driver.lab.hosts[0]!;
  const mtu = Number(spec.mtu ?? spec.options?.mtu ?? 1500);
  if (!Number.isInteger(mtu) || mtu < 576 || mtu > 9000)
    throw new Error(`option mtu=${spec.options?.mtu}: expected an integer from 576 to 9000`);
  return RefBridgeNetwork.create(host, spec.name, `${driver.lab.runId.slice(0, 3)}${seq}`, `10.201.${seq % 250}.0/24`, {
    internal: spec.internal ?? false,
    icc: spec.options?.icc !== 'false',
    mtu,
  });
};
