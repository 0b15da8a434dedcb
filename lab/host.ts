import Dockerode from 'dockerode';
import { run, type CommandResult, type RunOptions } from './linux/command.ts';

export type HostKind = 'netns' | 'local';

/** What a test worker needs to reach a host again: plain data, handed over as JSON. */
export interface HostDescriptor {
  name: string;
  kind: HostKind;
  /** The engine's API socket. */
  socketPath: string;
  /** The host's network namespace; absent for the machine's own (root) namespace. */
  netns?: string;
  /** The host's address on the lab underlay (netns hosts). */
  underlayAddress?: string;
  /** Where the engine keeps its data and exec roots (netns hosts). */
  dataDir?: string;
  /** The host's plugin directory, seen from the machine's root namespace. */
  pluginDir: string;
  /** The lab's own dockerd flags (netns hosts), reused when a driver restarts the engine. */
  engineArgs?: string[];
}

/** A running Docker host of the lab: its engine plus a shell in its network namespace. */
export class LabHost {
  readonly docker: Dockerode;

  constructor(readonly descriptor: HostDescriptor) {
    this.docker = new Dockerode({ socketPath: descriptor.socketPath });
  }

  get name(): string {
    return this.descriptor.name;
  }

  get netns(): string | undefined {
    return this.descriptor.netns;
  }

  /** Runs a command in the host's network namespace (ip, iptables, socat …). */
  exec(argv: string[], options: Omit<RunOptions, 'netns'> = {}): Promise<CommandResult> {
    return run(argv, { ...options, netns: this.descriptor.netns });
  }

  async engineVersion(): Promise<string> {
    return (await this.docker.version()).Version;
  }
}
