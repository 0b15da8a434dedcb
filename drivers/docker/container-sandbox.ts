import type Dockerode from 'dockerode';
import { access } from 'node:fs/promises';
import { execInContainer } from '../../lab/docker-exec.ts';
import type { LabHost } from '../../lab/host.ts';
import { run, type CommandResult } from '../../lab/linux/command.ts';
import type { Sandbox, StartedNetwork } from '../contract.ts';

/** Whether the process's namespaces can be entered from here (same machine, same PID namespace). */
async function visible(pid: number): Promise<boolean> {
  return access(`/proc/${pid}/ns/net`).then(
    () => true,
    () => false,
  );
}

/** A sandbox that is a Docker container running the probe image. */
export class ContainerSandbox implements Sandbox {
  constructor(
    readonly name: string,
    readonly id: string,
    readonly host: LabHost,
    private info: Dockerode.ContainerInspectInfo,
    /** For container mode: the sandbox whose stack this one shares. */
    private readonly sharesWith?: Sandbox,
  ) {}

  get dnsName(): string {
    return this.name;
  }

  address(network?: StartedNetwork): string | undefined {
    if (this.sharesWith) return this.sharesWith.address(network);
    const nets = this.info.NetworkSettings.Networks ?? {};
    const entry = network ? nets[network.name] : Object.values(nets)[0];
    return entry?.IPAddress || undefined;
  }

  /** Re-reads the container's networks and process (after a connect, a disconnect, a restart). */
  async refresh(): Promise<void> {
    this.info = await this.host.docker.getContainer(this.id).inspect();
  }

  /**
   * A short command in the container's network stack and files: entered directly (nsenter into its
   * process's network, mount and PID namespaces) when that process is visible here, as on the netns lab,
   * which spares each probe a round trip through the engine, containerd and runc; else `docker exec`.
   * Nothing started this way may outlive the command (see execDetached).
   */
  async exec(argv: string[], timeoutMs?: number, signal?: AbortSignal): Promise<CommandResult> {
    // a remote host's process ids mean nothing here, even where one happens to exist
    if (!this.host.onThisMachine) return this.execDetached(argv, timeoutMs, signal);
    let pid = this.info.State?.Pid;
    let entered = pid ? await visible(pid) : false;
    if (pid && !entered) {
      // the container was started again (a restart policy, an engine restart): it has a new process
      await this.refresh().catch(() => undefined);
      pid = this.info.State?.Pid;
      entered = pid ? await visible(pid) : false;
    }
    if (!pid || !entered) return this.execDetached(argv, timeoutMs, signal);
    const r = await run(['nsenter', `--target=${pid}`, '--net', '--mount', '--pid', '--', ...argv], {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(signal ? { signal } : {}),
    });
    return { ...r, command: `[${this.host.name} ${this.name}] ${argv.join(' ')}` };
  }

  /** `docker exec`: what it starts belongs to the container (its cgroup, its lifetime), as a daemon must. */
  execDetached(argv: string[], timeoutMs?: number, signal?: AbortSignal): Promise<CommandResult> {
    const label = `${this.host.name} ${this.name}`;
    return execInContainer(this.host.docker, this.id, argv, { timeoutMs, label, ...(signal ? { signal } : {}) });
  }

  async remove(): Promise<void> {
    await this.host.docker
      .getContainer(this.id)
      .remove({ force: true })
      .catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}
