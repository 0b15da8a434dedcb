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

/**
 * What is there now and was not `before` (host-prefixed lines), and what vanished. Polled for up to
 * 6 s while something is left: an engine may still be collecting devices asynchronously, as swarm does.
 */
export async function leftBehind(
  ctx: CheckContext,
  before: LabFootprint,
): Promise<{ added: string[]; removed: string[] }> {
  let diff = { added: [] as string[], removed: [] as string[] };
  for (let i = 0; i < 30; i++) {
    const after = await labFootprint(ctx);
    const added: string[] = [];
    const removed: string[] = [];
    for (const h of ctx.lab.hosts) {
      const d = footprintDiff(before.hosts[h.name]!, after.hosts[h.name]!);
      added.push(...d.added.map((l) => `${h.name}: ${l}`));
      removed.push(...d.removed.map((l) => `${h.name}: ${l}`));
    }
    const k = footprintDiff(before.kv, after.kv);
    diff = { added: [...added, ...k.added], removed: [...removed, ...k.removed] };
    if (!diff.added.length) break;
    await sleep(200, ctx.signal);
  }
  return diff;
}
