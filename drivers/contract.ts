import type { LabHost } from '../lab/host.ts';
import type { LabShape, StartedLab } from '../lab/lab.ts';
import type { CommandResult } from '../lab/linux/command.ts';
import type { PluginAddress } from './remote/plugin-client.ts';
import type { PluginRestart } from './remote/plugin-restart.ts';

/** The modes a container can run in (docs/model.md). */
export type Mode = 'none' | 'container' | 'host' | 'bridge' | 'overlay';

/** What a driver declares about itself; the checks turn it into expectations. */
export interface Profile {
  mode: Mode;
  /** `local`: networks live on one host; `global`: one network spans hosts. */
  scope: 'local' | 'global';
  /** Sandboxes have a network stack of their own (false for host mode). */
  isolated: boolean;
  /** Egress is masqueraded behind the host's address. */
  nat: boolean;
  /** Peers on one network resolve each other by name. */
  dns: boolean;
  /** One network connects sandboxes on different hosts. */
  multiHost: boolean;
  /** Inclusive VXLAN id range the driver allocates from (overlay). */
  vniRange?: [number, number];
  /** Interface MTU the sandboxes get, when the driver fixes one. */
  mtu?: number;
  /** The network's MTU can be chosen at creation (NetworkSpec.mtu). */
  mtuOption?: boolean;
  /** Ports can be published on the host's address (DNAT), with hairpin from sandboxes. */
  publish?: boolean;
  /** `internal` networks (no egress) are supported. */
  internal?: boolean;
  /** The `-o` options that turn inter-container communication (ICC) off on a network, where the driver has it. */
  iccOff?: Record<string, string>;
  /** The VNI range can be set per network (option `vni-range=LO-HI`), so exhaustion can be tested. */
  configurableVniRange?: boolean;
  /** The driver is a libnetwork remote plugin the harness can talk to directly (the protocol suite). */
  remote?: boolean;
}

/** A remote plugin as the protocol suite reaches it. */
export interface RemotePluginTarget {
  /** The name Docker knows it by (`-d NAME`). */
  name: string;
  address: PluginAddress;
  /** Send `Plugin.Activate` first (legacy plugins); managed plugins never get it. */
  activate: boolean;
  /** The network namespace the plugin makes interfaces in (its engine's): Join's SrcName must appear there. */
  netns?: string;
  /** The lab host the plugin serves, when it serves one. */
  host?: LabHost;
  /** An `-o` option that sets the MTU of the network's interfaces: shows whether `-o` options are read. */
  mtuOption?: string;
}

export interface NetworkSpec {
  /** A short role name; the driver prefixes it with the run's id. */
  name: string;
  /** Driver-specific options (`-o`). */
  options?: Record<string, string>;
  internal?: boolean;
  /** Interface MTU for the network's endpoints, where the driver lets it be set. */
  mtu?: number;
  /** Where a local-scope network lives; global networks are made on the first host. */
  host?: LabHost;
}

/** A network as the driver made it. Removing it is the driver's job, done on dispose. */
export interface StartedNetwork extends AsyncDisposable {
  readonly name: string;
  readonly id: string;
  /** IPv4 subnet, when the network has addresses. */
  readonly subnet?: string;
  readonly gateway?: string;
  remove(): Promise<void>;
}

export interface SandboxSpec {
  /** A short role name (a1, b1 …); the driver prefixes it with the run's id. */
  name: string;
  host: LabHost;
  network?: StartedNetwork;
  /** Share this sandbox's network stack (container mode). */
  shareWith?: Sandbox;
  /** TCP ports to publish on the host's address: `port` in the sandbox as `hostPort` on the host. */
  publish?: { port: number; hostPort: number }[];
  /** The engine starts it again after it stops or the engine restarts (sandboxes that are containers). */
  restartPolicy?: 'always';
}

/** An isolated network stack with probe servers running in it. */
export interface Sandbox extends AsyncDisposable {
  readonly name: string;
  /** The name peers resolve it by (where the profile declares DNS). */
  readonly dnsName: string;
  readonly id: string;
  readonly host: LabHost;
  /** The IPv4 address on a network; undefined where it has none. */
  address(network?: StartedNetwork): string | undefined;
  /**
   * Runs a short command inside the sandbox's network stack; `signal` stops it (and the call throws
   * its reason). Nothing it starts may be left running: for that, `execDetached`.
   */
  exec(argv: string[], timeoutMs?: number, signal?: AbortSignal): Promise<CommandResult>;
  /** Runs a command that leaves a daemon behind, which must belong to the sandbox and end with it (default: exec). */
  execDetached?(argv: string[], timeoutMs?: number): Promise<CommandResult>;
  remove(): Promise<void>;
  /** Reads what the driver or engine says of it again (its addresses after a restart), where that can change. */
  refresh?(): Promise<void>;
}

export interface StartedDriver extends AsyncDisposable {
  readonly driver: Driver;
  readonly lab: StartedLab;
  createNetwork(spec: NetworkSpec): Promise<StartedNetwork>;
  createSandbox(spec: SandboxSpec): Promise<Sandbox>;
  /** Joins a live sandbox to one more network, and takes it off again. */
  connect(sandbox: Sandbox, network: StartedNetwork): Promise<void>;
  disconnect(sandbox: Sandbox, network: StartedNetwork): Promise<void>;
  /** Evidence of the driver's own setup (swarm init …) for the report. */
  readonly setupEvidence: CommandResult[];
  /** The plugin behind a remote driver, for the protocol suite (profile `remote`). */
  readonly remotePlugin?: RemotePluginTarget;
  /** Kills the driver's plugin process on `host` and starts it again (drivers with `restartablePlugin`). */
  restartPlugin?(host: LabHost): Promise<PluginRestart>;
  stop(): Promise<void>;
}

export interface Driver {
  readonly id: string;
  /**
   * What the driver is, whatever it was loaded as: `docker:bridge` whether named `docker-bridge` or
   * loaded from a manifest, `remote:<plugin name>`, `reference:<mode>`, `cni:<plugin types>`. Known
   * deviations are keyed by it.
   */
  readonly implementation: string;
  readonly description: string;
  readonly profile: Profile;
  /**
   * Errors the driver is known to throw intermittently (an engine bug, not the check's subject):
   * a check that errors with one is run again (twice at most), and the earlier errors stay in its evidence.
   */
  readonly transientErrors?: RegExp;
  /**
   * How the driver needs the lab's Docker engines: `use` (networks and containers on them), `swarm`
   * (it also joins them in a swarm and leaves it: one such driver at a time) or `restart` (it
   * restarts them with other flags, so no other driver may use them meanwhile).
   */
  readonly engines?: 'use' | 'swarm' | 'restart';
  /**
   * The VNI allocator the driver shares with others (a name): drivers that share one never hand out
   * a VNI twice, so overlapping ranges do not keep them from running side by side.
   */
  readonly vniAllocator?: string;
  /** The harness launches the driver's plugin process on each lab host, and can kill and start it again. */
  readonly restartablePlugin?: boolean;
  /** The driver keeps its state in the lab's etcd: an etcd outage is a fault it must weather. */
  readonly keepsStateInLabKv?: boolean;
  /** Why the driver cannot run on such a lab, or undefined when it can (asked before the lab is up too). */
  unsupportedReason(lab: LabShape): string | undefined;
  start(lab: StartedLab): Promise<StartedDriver>;
}
