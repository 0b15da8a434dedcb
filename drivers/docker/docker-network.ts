import type { LabHost } from '../../lab/host.ts';
import { waitUntil } from '../../lab/wait.ts';
import type { StartedNetwork } from '../contract.ts';

/** Held a moment after its containers are gone: swarm's tasks, the classic overlay's endpoints in the store. */
const STILL_HELD = /is in use by task|has active endpoints/;

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

  /**
   * Removes the network. Swarm detaches a removed container's task from the network a moment later
   * (longer on a loaded machine), and the classic overlay counts a removed container of another host
   * in the store until that host's engine has written it off: "in use by task" and "has active
   * endpoints" are waited out for a while, not reported at once.
   */
  async remove(): Promise<void> {
    if (this.builtin) return;
    const attempt = () =>
      this.host.docker
        .getNetwork(this.id)
        .remove()
        .then(() => undefined)
        .catch((e: Error & { statusCode?: number }) => (e.statusCode === 404 ? undefined : e));
    const removed = await waitUntil(attempt, (e) => !e || !STILL_HELD.test(e.message), {
      what: `network ${this.name} to be removed`,
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    if (removed.value) throw removed.value;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}

/**
 * One network made on every host with the same name and subnet: how a local-scope plugin with
 * global connectivity (the reference overlay through Docker) spans hosts without swarm or a KV store.
 */
export class PerHostDockerNetwork implements StartedNetwork {
  constructor(private readonly parts: DockerNetwork[]) {}

  get name(): string {
    return this.parts[0]!.name;
  }

  get id(): string {
    return this.parts[0]!.id;
  }

  get subnet(): string | undefined {
    return this.parts[0]!.subnet;
  }

  get gateway(): string | undefined {
    return this.parts[0]!.gateway;
  }

  /** The network's id on one host's engine. */
  idOn(host: LabHost): string {
    const part = this.parts.find((p) => p.host.name === host.name);
    if (!part) throw new Error(`network ${this.name} is not on ${host.name}`);
    return part.id;
  }

  async remove(): Promise<void> {
    const errors: unknown[] = [];
    for (const p of [...this.parts].reverse()) await p.remove().catch((e: unknown) => errors.push(e));
    if (errors.length) throw errors[0];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}

/** A network's id on the engine of `host`. */
export function networkIdOn(network: StartedNetwork, host: LabHost): string {
  return network instanceof PerHostDockerNetwork ? network.idOn(host) : network.id;
}
