import type { LabHost } from '../../lab/host.ts';
import type { StartedNetwork } from '../contract.ts';

/** A Docker network; `builtin` ones (none, host) are Docker's own and never removed. */
export class DockerNetwork implements StartedNetwork {
  constructor(
    readonly name: string,
    readonly id: string,
    readonly host: LabHost,
    readonly subnet?: string,
    readonly gateway?: string,
    private readonly builtin = false,
  ) {}

  static async inspect(host: LabHost, idOrName: string, builtin = false): Promise<DockerNetwork> {
    const info = (await host.docker.getNetwork(idOrName).inspect()) as {
      Id: string;
      Name: string;
      IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] };
    };
    const cfg = info.IPAM?.Config?.[0];
    return new DockerNetwork(info.Name, info.Id, host, cfg?.Subnet, cfg?.Gateway, builtin);
  }

  async remove(): Promise<void> {
    if (this.builtin) return;
    await this.host.docker.getNetwork(this.id).remove().catch((e: Error & { statusCode?: number }) => {
      if (e.statusCode !== 404) throw e;
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}
