import type { LabShape, StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import type { Driver, Mode, NetworkSpec, Sandbox, SandboxSpec, StartedDriver, StartedNetwork } from '../contract.ts';
import { Owned, removeAllOwned } from '../owned.ts';
import { RefBridgeNetwork } from './bridge-network.ts';
import { ModeNetwork } from './mode-networks.ts';
import { NativeSandbox } from './sandbox.ts';

/** A reference network that endpoints can join and leave. */
export interface AttachableNetwork extends StartedNetwork {
  attach(sandbox: NativeSandbox): Promise<string>;
  detach(sandbox: NativeSandbox): Promise<void>;
  publish?(sandbox: NativeSandbox, port: number, hostPort: number): Promise<void>;
}

export type NetworkFactory<N extends AttachableNetwork = AttachableNetwork> = (
  driver: RefStartedDriver,
  spec: NetworkSpec,
  seq: number,
) => Promise<N>;

// bridge and chain names must be unique on a host across every driver instance of a process
let networkSeq = 0;
let sandboxSeq = 0;

/** The reference CNM driving native sandboxes (network namespaces) on the lab's netns hosts. */
export class RefStartedDriver implements StartedDriver {
  readonly setupEvidence: CommandResult[] = [];
  private readonly sandboxes: Owned<NativeSandbox>;
  private readonly networks: Owned<AttachableNetwork>;

  constructor(
    readonly driver: Driver,
    readonly lab: StartedLab,
    private readonly mode: Mode,
    private readonly networkFactory?: NetworkFactory,
    private readonly teardown: () => Promise<void> = async () => undefined,
  ) {
    this.sandboxes = new Owned(driver.id, 'sandbox');
    this.networks = new Owned(driver.id, 'network');
  }

  async createNetwork(spec: NetworkSpec): Promise<StartedNetwork> {
    if (this.mode === 'none' || this.mode === 'host') return new ModeNetwork(this.mode);
    return this.networks.add(await this.networkFactory!(this, spec, ++networkSeq));
  }

  async createSandbox(spec: SandboxSpec): Promise<Sandbox> {
    let sandbox: NativeSandbox;
    if (spec.shareWith) {
      sandbox = NativeSandbox.join(spec.name, this.sandboxes.get(spec.shareWith));
    } else {
      const kind = this.mode === 'host' ? 'host' : 'own';
      sandbox = await NativeSandbox.create(`${spec.name}${++sandboxSeq}`, spec.host, kind);
      const network =
        spec.network && !(spec.network instanceof ModeNetwork) ? this.networks.get(spec.network) : undefined;
      if (network) {
        try {
          await network.attach(sandbox);
          for (const p of spec.publish ?? []) {
            if (!network.publish) throw new Error(`network ${network.name} cannot publish ports`);
            await network.publish(sandbox, p.port, p.hostPort);
          }
        } catch (e) {
          await sandbox.remove();
          throw e;
        }
      }
    }
    return this.sandboxes.add(sandbox);
  }

  async connect(sandbox: Sandbox, network: StartedNetwork): Promise<void> {
    await this.networks.get(network).attach(this.sandboxes.get(sandbox));
  }

  async disconnect(sandbox: Sandbox, network: StartedNetwork): Promise<void> {
    await this.networks.get(network).detach(this.sandboxes.get(sandbox));
  }

  async stop(): Promise<void> {
    await removeAllOwned(this.sandboxes, this.networks, () => this.teardown());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** The reference overlay and its plugin take VNIs from one allocator in the lab's etcd (vni-allocator.ts). */
export const REFERENCE_VNI_ALLOCATOR = 'reference (etcd <lab prefix>overlay/vni/)';

export const NEEDS_NETNS_LAB = (lab: LabShape): string | undefined =>
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
