import type Dockerode from 'dockerode';
import type { LabHost } from '../../lab/host.ts';
import type { LabShape, StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import { awaitProbeServers, PROBE_RESTART_SCRIPT, PROBE_SERVER_LOG } from '../../lab/probe-servers.ts';
import { LABEL_RUN, runNames } from '../../lab/run-id.ts';
import { waitUntil } from '../../lab/wait.ts';
import type {
  Driver,
  NetworkSpec,
  RemotePluginTarget,
  Sandbox,
  SandboxSpec,
  StartedDriver,
  StartedNetwork,
} from '../contract.ts';
import { Owned, removeAllOwned } from '../owned.ts';
import type { PluginRestart } from '../remote/plugin-restart.ts';
import { ContainerSandbox } from './container-sandbox.ts';
import { DockerNetwork, networkIdOn, PerHostDockerNetwork } from './docker-network.ts';
import { startTestcontainersSandbox } from './testcontainers-sandbox.ts';

/** How a Docker adapter makes its networks. */
export interface DockerNetworking {
  /** `docker network create -d <driver>`; absent for modes that use a built-in network. */
  networkDriver?: string;
  /** Docker's own network the mode uses (`none`, `host`). */
  builtinNetwork?: 'none' | 'host';
  attachable?: boolean;
  /** One network spans the hosts: created once, on the first (manager) host. */
  global?: boolean;
  /**
   * One network spans the hosts by being made on each of them with the same name and subnet (a
   * local-scope plugin with global connectivity): the first host's IPAM picks the subnet.
   */
  perHost?: boolean;
  /** `--ipam-driver` (a remote IPAM plugin) and its `--ipam-opt`s. */
  ipamDriver?: string;
  ipamOptions?: Record<string, string>;
  /** `-o` options every network gets (a manifest's), before the check's own. */
  options?: Record<string, string>;
  /**
   * Per-host networks under Docker's own IPAM (macvlan, ipvlan): one subnet chosen here, and each
   * host allocating from its own slice of it (`--ip-range`), so addresses never collide.
   */
  splitRangePerHost?: boolean;
}

// subnets of per-host networks under Docker's IPAM: unique in this process
let splitSubnetSeq = 0;

/** The `--ip-range` slice of host `index` of `count` in a /24 (`10.207.5.0/24`, 1 of 2 → `10.207.5.128/25`). */
export function hostSlice(subnet: string, index: number, count: number): string {
  const bits = Math.ceil(Math.log2(Math.max(count, 1)));
  const size = 256 >> bits;
  const base = subnet.split('/')[0]!.split('.').slice(0, 3).join('.');
  return `${base}.${index * size}/${24 + bits}`;
}

/** The shared machinery of every adapter over Docker's own drivers, through dockerode. */
export class DockerStartedDriver implements StartedDriver {
  private readonly sandboxes: Owned<ContainerSandbox>;
  private readonly networks: Owned<StartedNetwork>;
  // swarm removes networks asynchronously: a fresh name per network avoids racing the last removal
  // (and a fresh one per container keeps a retried check clear of a failed attempt's leftovers)
  private sequence = 0;
  readonly setupEvidence: CommandResult[] = [];
  remotePlugin?: RemotePluginTarget;
  restartPlugin?: (host: LabHost) => Promise<PluginRestart>;

  constructor(
    readonly driver: Driver,
    readonly lab: StartedLab,
    private readonly networking: DockerNetworking,
    private readonly teardown: () => Promise<void> = async () => undefined,
  ) {
    this.sandboxes = new Owned(driver.id, 'sandbox');
    this.networks = new Owned(driver.id, 'network');
  }

  /** The driver id as Docker names allow it (`ref-bridge@docker` → `ref-bridge.docker`). */
  private get nameTag(): string {
    return this.driver.id.replace(/[^a-zA-Z0-9_.-]/g, '.');
  }

  private labels(): Record<string, string> {
    return { [LABEL_RUN]: this.lab.runId, 'cnm-harness.driver': this.driver.id };
  }

  async createNetwork(spec: NetworkSpec): Promise<StartedNetwork> {
    const host =
      this.networking.global || this.networking.perHost ? this.lab.hosts[0]! : (spec.host ?? this.lab.hosts[0]!);
    if (this.networking.builtinNetwork) return DockerNetwork.inspect(host, this.networking.builtinNetwork, true);
    const name = runNames(this.lab.runId).docker(`${this.nameTag}-${spec.name}${++this.sequence}`);
    const split = this.networking.perHost && this.networking.splitRangePerHost && !this.networking.ipamDriver;
    const subnet = split ? `10.207.${++splitSubnetSeq % 250}.0/24` : undefined;
    const create = async (on: LabHost, sharedSubnet?: string) => {
      const index = this.lab.hosts.indexOf(on);
      const config = sharedSubnet
        ? [
            {
              Subnet: sharedSubnet,
              ...(split ? { IPRange: hostSlice(sharedSubnet, index, this.lab.hosts.length) } : {}),
            },
          ]
        : [];
      const ipam =
        this.networking.ipamDriver || config.length
          ? {
              IPAM: {
                Driver: this.networking.ipamDriver ?? 'default',
                Config: config,
                Options: this.networking.ipamOptions ?? {},
              },
            }
          : {};
      const created = await on.docker.createNetwork({
        Name: name,
        Driver: this.networking.networkDriver ?? 'bridge',
        Attachable: this.networking.attachable ?? false,
        Internal: spec.internal ?? false,
        CheckDuplicate: true,
        ...ipam,
        Options: {
          ...this.networking.options,
          ...(spec.mtu ? { 'com.docker.network.driver.mtu': String(spec.mtu) } : {}),
          ...spec.options,
        },
        Labels: this.labels(),
      });
      return DockerNetwork.inspect(on, created.id);
    };
    const first = await create(host, subnet);
    if (!this.networking.perHost) return this.networks.add(first);
    const parts = [first];
    try {
      for (const other of this.lab.hosts.slice(1)) parts.push(await create(other, first.subnet));
    } catch (e) {
      // the error that stopped the creation is the one to report; removal is best effort
      for (const p of parts.reverse()) await p.remove().catch(() => undefined);
      throw e;
    }
    return this.networks.add(new PerHostDockerNetwork(parts));
  }

  async createSandbox(spec: SandboxSpec): Promise<Sandbox> {
    // a fresh name each time: a retried check must not collide with what a failed attempt left
    const name = runNames(this.lab.runId).docker(`${this.nameTag}-${spec.name}-${++this.sequence}`);
    const networkMode = spec.shareWith ? `container:${spec.shareWith.id}` : (spec.network?.name ?? 'none');
    const docker = spec.host.docker;
    const publish = spec.publish ?? [];
    // the local lab's sandboxes are testcontainers containers (its wait strategies, its reaper where it can run)
    if (spec.host.descriptor.kind === 'local' && !spec.restartPolicy) {
      const id = await startTestcontainersSandbox({
        name,
        image: this.lab.probeImage,
        labels: this.labels(),
        networkMode,
        publish,
        sharesStack: spec.shareWith !== undefined,
      });
      return this.adopt(name, id, spec);
    }
    const create = () =>
      docker.createContainer({
        name,
        Image: this.lab.probeImage,
        Labels: this.labels(),
        ExposedPorts: Object.fromEntries(publish.map((p) => [`${p.port}/tcp`, {}])),
        // the probe servers ignore SIGTERM: an engine stopping it need not wait Docker's default 10 s
        ...(spec.restartPolicy ? { StopTimeout: 1 } : {}),
        HostConfig: {
          ...(spec.restartPolicy ? { RestartPolicy: { Name: spec.restartPolicy } } : {}),
          NetworkMode: networkMode,
          PortBindings: Object.fromEntries(publish.map((p) => [`${p.port}/tcp`, [{ HostPort: String(p.hostPort) }]])),
        },
      });
    // a global network made on another host reaches this host's engine through the store only
    // eventually (the classic overlay): until then the engine says it has no such network
    const made = await waitUntil(
      () => create().catch((e: Error & { statusCode?: number }) => e),
      (r) =>
        !(
          r instanceof Error &&
          this.networking.global &&
          r.statusCode === 404 &&
          /network .* not found/.test(r.message)
        ),
      { what: `network ${spec.network?.name} to reach ${spec.host.name}`, timeoutMs: 15_000, intervalMs: 100 },
    );
    if (made.value instanceof Error) throw made.value;
    const container = made.value;
    try {
      await container.start();
    } catch (e) {
      await container.remove({ force: true }).catch(() => undefined);
      throw e;
    }
    const sandbox = await this.adopt(name, container.id, spec);
    if (!spec.shareWith)
      await awaitProbeServers({
        where: `sandbox ${name} on ${spec.host.name}`,
        exec: (argv, timeoutMs) => sandbox.exec(argv, timeoutMs),
        diagnose: () => Promise.all([sandbox.exec(['cat', PROBE_SERVER_LOG], 5_000), sandbox.exec(['ps'], 5_000)]),
        restart: () => sandbox.execDetached(['sh', '-c', PROBE_RESTART_SCRIPT], 10_000),
      });
    return sandbox;
  }

  /** A started container as the run's sandbox, once the engine has given it its address. */
  private async adopt(name: string, id: string, spec: SandboxSpec): Promise<ContainerSandbox> {
    const info: Dockerode.ContainerInspectInfo = await spec.host.docker.getContainer(id).inspect();
    const sandbox = new ContainerSandbox(name, info.Id, spec.host, info, spec.shareWith);
    this.sandboxes.add(sandbox);
    if (spec.network && !spec.shareWith && !this.networking.builtinNetwork && !sandbox.address(spec.network)) {
      // the engine reports the address when the driver has given one; an eventually consistent store
      // (the classic overlay's) may take a moment: look again, bounded, then say whose fault it is
      for (let i = 0; i < 20 && !sandbox.address(spec.network); i++) {
        await new Promise((r) => setTimeout(r, 250));
        await sandbox.refresh();
      }
      if (!sandbox.address(spec.network))
        throw new Error(`the engine gave container ${name} no address on network ${spec.network.name} within 5 s`);
    }
    return sandbox;
  }

  async connect(sandbox: Sandbox, network: StartedNetwork): Promise<void> {
    await sandbox.host.docker.getNetwork(networkIdOn(network, sandbox.host)).connect({ Container: sandbox.id });
    await this.sandboxes.get(sandbox).refresh();
  }

  async disconnect(sandbox: Sandbox, network: StartedNetwork): Promise<void> {
    await sandbox.host.docker
      .getNetwork(networkIdOn(network, sandbox.host))
      .disconnect({ Container: sandbox.id, Force: true });
    await this.sandboxes.get(sandbox).refresh();
  }

  async stop(): Promise<void> {
    await removeAllOwned(this.sandboxes, this.networks, () => this.teardown());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** An adapter over one of Docker's built-in drivers. */
export function dockerDriver(
  def: Omit<Driver, 'start' | 'unsupportedReason'> & {
    networking: DockerNetworking;
    unsupportedReason?: (lab: LabShape) => string | undefined;
    /** Driver-wide setup (swarm init …); returns evidence and the matching teardown. */
    setup?: (lab: StartedLab) => Promise<{
      evidence: CommandResult[];
      teardown: () => Promise<void>;
      remotePlugin?: RemotePluginTarget;
      restartPlugin?: (host: LabHost) => Promise<PluginRestart>;
    }>;
  },
): Driver {
  const driver: Driver = {
    id: def.id,
    implementation: def.implementation,
    description: def.description,
    profile: def.profile,
    ...(def.transientErrors ? { transientErrors: def.transientErrors } : {}),
    engines: def.engines ?? 'use',
    ...(def.vniAllocator ? { vniAllocator: def.vniAllocator } : {}),
    ...(def.restartablePlugin ? { restartablePlugin: true } : {}),
    ...(def.keepsStateInLabKv ? { keepsStateInLabKv: true } : {}),
    unsupportedReason: (lab) => def.unsupportedReason?.(lab),
    async start(lab) {
      const prepared = def.setup ? await def.setup(lab) : { evidence: [], teardown: async () => undefined };
      const started = new DockerStartedDriver(driver, lab, def.networking, prepared.teardown);
      started.setupEvidence.push(...prepared.evidence);
      if ('remotePlugin' in prepared && prepared.remotePlugin) started.remotePlugin = prepared.remotePlugin;
      if ('restartPlugin' in prepared && prepared.restartPlugin) started.restartPlugin = prepared.restartPlugin;
      return started;
    },
  };
  return driver;
}
