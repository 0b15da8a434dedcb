import type { Sandbox, StartedNetwork } from '../../drivers/contract.ts';
import type { CheckContext } from './context.ts';

/** A topology as data: networks, and sandboxes placed on lab hosts (by index) and networks. */
export interface ScenarioSpec {
  networks?: { name: string; host?: number; internal?: boolean; mtu?: number; options?: Record<string, string> }[];
  sandboxes: {
    name: string;
    host?: number;
    network?: string;
    shareWith?: string;
    publish?: { port: number; hostPort: number }[];
    restartPolicy?: 'always';
  }[];
}

/** The scenario made real; everything in it is removed when the check's context closes. */
export class Scenario {
  private constructor(
    private readonly networks: Map<string, StartedNetwork>,
    private readonly sandboxes: Map<string, Sandbox>,
  ) {}

  static async build(ctx: CheckContext, spec: ScenarioSpec): Promise<Scenario> {
    const networks = new Map<string, StartedNetwork>();
    const sandboxes = new Map<string, Sandbox>();
    for (const n of spec.networks ?? []) {
      ctx.signal.throwIfAborted();
      const host = ctx.lab.hosts[n.host ?? 0]!;
      networks.set(
        n.name,
        ctx.use(
          await ctx.driver.createNetwork({ name: n.name, internal: n.internal, mtu: n.mtu, options: n.options, host }),
        ),
      );
    }
    for (const s of spec.sandboxes) {
      ctx.signal.throwIfAborted();
      const host = ctx.lab.hosts[s.host ?? 0];
      if (!host) throw new Error(`scenario places ${s.name} on host ${s.host}; the lab has ${ctx.lab.hosts.length}`);
      const network = s.network ? networks.get(s.network) : undefined;
      const shareWith = s.shareWith ? sandboxes.get(s.shareWith) : undefined;
      const t0 = Date.now();
      sandboxes.set(
        s.name,
        ctx.use(
          await ctx.driver.createSandbox({
            name: s.name,
            host,
            network,
            shareWith,
            publish: s.publish,
            ...(s.restartPolicy ? { restartPolicy: s.restartPolicy } : {}),
          }),
        ),
      );
      ctx.time('sandboxCreateMs', Date.now() - t0);
    }
    return new Scenario(networks, sandboxes);
  }

  sandboxNames(): string[] {
    return [...this.sandboxes.keys()];
  }

  sandbox(name: string): Sandbox {
    const s = this.sandboxes.get(name);
    if (!s) throw new Error(`no sandbox ${name} in scenario`);
    return s;
  }

  network(name: string): StartedNetwork {
    const n = this.networks.get(name);
    if (!n) throw new Error(`no network ${name} in scenario`);
    return n;
  }

  /** Address of a sandbox on its (first) network. */
  addressOf(name: string, network?: string): string {
    const a = this.sandbox(name).address(network ? this.network(network) : undefined);
    if (!a) throw new Error(`sandbox ${name} has no address${network ? ` on ${network}` : ''}`);
    return a;
  }
}
