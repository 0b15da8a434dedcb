import Dockerode from 'dockerode';
import { execInContainer } from './docker-exec.ts';
import { run, type CommandResult, type RunOptions } from './linux/command.ts';
import { remoteDocker } from './remote/engine-client.ts';
import type { RemoteEngine } from './remote/lab-file.ts';

export type HostKind = 'netns' | 'local' | 'remote';

/** What a test worker needs to reach a host again: plain data, handed over as JSON. */
export interface HostDescriptor {
  name: string;
  kind: HostKind;
  /** The engine's API socket (netns and local hosts). */
  socketPath?: string;
  /** How a remote host's engine is reached (remote hosts). */
  engine?: RemoteEngine;
  /** The run's helper container on a remote host: host commands run in it. */
  helper?: string;
  /** A remote host's dockerd, as the helper sees it (host PID namespace). */
  enginePid?: number;
  /** The engine's swarm state when the lab came up (remote hosts: a swarm the run did not make is never changed). */
  swarm?: string;
  /** The host's network namespace; absent for the machine's own (root) namespace. */
  netns?: string;
  /** The host's address on the lab underlay (netns hosts), or the one other hosts reach it by (remote). */
  underlayAddress?: string;
  /** The host's port on the underlay switch (netns hosts): where captures and underlay faults apply. */
  underlayPort?: string;
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
    this.docker = descriptor.engine
      ? remoteDocker(descriptor.engine)
      : new Dockerode({ socketPath: descriptor.socketPath });
  }

  get name(): string {
    return this.descriptor.name;
  }

  get netns(): string | undefined {
    return this.descriptor.netns;
  }

  /**
   * Whether the host's processes are this machine's (netns and local hosts): its containers can be
   * entered directly. A remote host's are reached through its engine only.
   */
  get onThisMachine(): boolean {
    return this.descriptor.kind !== 'remote';
  }

  /** Runs a command in the host's network namespace (ip, iptables, socat …); on a remote host, in its helper. */
  exec(argv: string[], options: Omit<RunOptions, 'netns'> = {}): Promise<CommandResult> {
    if (this.descriptor.helper && options.input !== undefined)
      throw new Error(`${this.name}: a remote host's commands take no input (they run through docker exec)`);
    if (this.descriptor.helper)
      return execInContainer(this.docker, this.descriptor.helper, argv, {
        label: this.name,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    return run(argv, { ...options, netns: this.descriptor.netns });
  }

  async engineVersion(): Promise<string> {
    return (await this.docker.version()).Version;
  }
}
