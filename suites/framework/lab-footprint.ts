import { sleep } from '../../lab/wait.ts';
import type { CheckContext } from './context.ts';
import { footprintDiff, hostFootprint, kvFootprint, type KvView } from './footprint.ts';

/** Every lab host's footprint and the etcd's keys: what a lifecycle must leave as it found it. */
export interface LabFootprint {
  hosts: Record<string, string[]>;
  kv: string[];
}

export async function labFootprint(ctx: KvView): Promise<LabFootprint> {
  const perHost = await Promise.all(ctx.lab.hosts.map(async (h) => [h.name, await hostFootprint(h)] as const));
  return { hosts: Object.fromEntries(perHost), kv: await kvFootprint(ctx) };
}

/** How long what is left may take to go (an engine collecting devices asynchronously, as swarm does). */
const SETTLE_MS = 10_000;
/** Looks taken at least, however slow each (a loaded machine reads the lab slowly, and cleans up slowly). */
const MIN_LOOKS = 5;

/**
 * What is there now and was not `before` (host-prefixed lines), and what vanished. Looked at again
 * while something is left, for SETTLE_MS and at least MIN_LOOKS times: every 200 ms at first, then every second
 * (each look reads every host and the store: fewer looks, less load on a machine already busy).
 */
export async function leftBehind(
  ctx: CheckContext,
  before: LabFootprint,
): Promise<{ added: string[]; removed: string[] }> {
  const t0 = Date.now();
  for (let look = 1; ; look++) {
    const after = await labFootprint(ctx);
    const added: string[] = [];
    const removed: string[] = [];
    for (const h of ctx.lab.hosts) {
      const d = footprintDiff(before.hosts[h.name]!, after.hosts[h.name]!);
      added.push(...d.added.map((l) => `${h.name}: ${l}`));
      removed.push(...d.removed.map((l) => `${h.name}: ${l}`));
    }
    const k = footprintDiff(before.kv, after.kv);
    const diff = { added: [...added, ...k.added], removed: [...removed, ...k.removed] };
    if (!diff.added.length || (look >= MIN_LOOKS && Date.now() - t0 >= SETTLE_MS)) return diff;
    // most of what is left goes within a second or two (Docker's veths): looked at often then, seldom after
    await sleep(look < 10 ? 200 : 1_000, ctx.signal);
  }
}
