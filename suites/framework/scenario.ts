import pLimit, { type LimitFunction } from 'p-limit';
import type { Sandbox, StartedNetwork } from '../../drivers/contract.ts';
import type { CheckContext } from './context.ts';

/**
 * How many of a scenario's sandboxes one host makes at once; hosts make theirs side by side. Two at
 * once on a host saved nothing measurable over one (65.3 against 67.8 s for four drivers' isolation,
 * connectivity and NAT checks, against 71.3 s all one after another), and the classic KV overlay's
 * engine lost its network and then its API under it.
 */
const HOST_SANDBOXES_AT_ONCE = 1;

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
    // sandboxes on different hosts side by side, one host's one after another (HOST_SANDBOXES_AT_ONCE), a
    // sandbox sharing another's stack after that one; each is handed to the context as soon as it exists
    const made = new Map<string, Promise<Sandbox>>();
    const perHost = new Map<number, LimitFunction>();
    for (const s of spec.sandboxes) {
      const host = ctx.lab.hosts[s.host ?? 0];
      if (!host) throw new Error(`scenario places ${s.name} on host ${s.host}; the lab has ${ctx.lab.hosts.length}`);
      if (!perHost.has(s.host ?? 0)) perHost.set(s.host ?? 0, pLimit(HOST_SANDBOXES_AT_ONCE));
      const limit = perHost.get(s.host ?? 0)!;
      const target = s.shareWith ? made.get(s.shareWith) : undefined;
      const network = s.network ? networks.get(s.network) : undefined;
      const create = async () => {
        const shareWith = await target;
        ctx.signal.throwIfAborted();
        const t0 = Date.now();
        const sandbox = ctx.use(
          await ctx.driver.createSandbox({
            name: s.name,
            host,
            network,
            shareWith,
            publish: s.publish,
            ...(s.restartPolicy ? { restartPolicy: s.restartPolicy } : {}),
          }),
        );
        ctx.time('sandboxCreateMs', Date.now() - t0);
        return sandbox;
      };
      // the target is waited for outside the host's limit: a sharer never holds its host's turn
      made.set(s.name, target ? target.then(() => limit(create)) : limit(create));
    }
    const settled = await Promise.allSettled(made.values());
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const sandboxes = new Map(
      [...made.keys()].map((name, i) => [name, (settled[i] as PromiseFulfilledResult<Sandbox>).value]),
    );
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
