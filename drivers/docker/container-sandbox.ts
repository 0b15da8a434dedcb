import type Dockerode from 'dockerode';
import { execInContainer } from '../../lab/docker-exec.ts';
import type { LabHost } from '../../lab/host.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import type { Sandbox, StartedNetwork } from '../contract.ts';

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

  /** Re-reads the container's networks after a connect or disconnect. */
  async refresh(): Promise<void> {
    this.info = await this.host.docker.getContainer(this.id).inspect();
  }

  exec(argv: string[], timeoutMs?: number, signal?: AbortSignal): Promise<CommandResult> {
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
