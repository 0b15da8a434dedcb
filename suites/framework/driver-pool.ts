import { availableParallelism, totalmem } from 'node:os';
import type { Driver } from '../../drivers/contract.ts';
import type { LabShape } from '../../lab/lab.ts';
import { driverConflict } from './driver-conflicts.ts';

/**
 * Drivers side by side by default: most of a check is waiting (engines, timeouts, convergence), so
 * a little more than one per core, and at most one per 2 GiB of memory (a driver's engines,
 * plugins and sandboxes), never more than 6.
 */
export function defaultConcurrency(): number {
  return Math.max(1, Math.min(availableParallelism() + 2, Math.floor(totalmem() / 2 ** 31), 6));
}

/**
 * Runs `work` for every driver, at most `limit` at a time and never two that conflict (driverConflict)
 * at once. Drivers that conflict with the most others start first: they are the ones that cannot
 * overlap, and leaving them last would leave the run's tail to one of them alone; among the rest
 * the heaviest (`weight`: how many checks apply to it) first, for the same reason. `work` must not
 * throw; once `signal` aborts no driver starts.
 */
export async function runDriversSideBySide(
  drivers: Driver[],
  limit: number,
  signal: AbortSignal,
  work: (driver: Driver, index: number) => Promise<void>,
  weight: (driver: Driver) => number = () => 0,
  lab?: Pick<LabShape, 'kind'>,
): Promise<void> {
  const degree = (d: Driver) => drivers.filter((o) => o !== d && driverConflict(d, o, lab)).length;
  const pending = drivers
    .map((driver, index) => ({ driver, index, degree: degree(driver), weight: weight(driver) }))
    // one at a time nothing overlaps, and the order stays the registry's: the one a sequential run has
    // always had (measured: with the classic KV overlay first, Docker's swarm overlay lost its first
    // cross-host network in 2 of 3 runs under load, one after another; never side by side)
    .sort((a, b) => (limit > 1 ? b.degree - a.degree || b.weight - a.weight : 0));
  const running = new Map<number, { driver: Driver; done: Promise<void> }>();
  while (pending.length || running.size) {
    if (signal.aborted) pending.length = 0;
    for (let k = 0; k < pending.length && running.size < Math.max(1, limit);) {
      const next = pending[k]!;
      if ([...running.values()].some((r) => driverConflict(r.driver, next.driver, lab))) {
        k++;
        continue;
      }
      pending.splice(k, 1);
      const done = work(next.driver, next.index).finally(() => running.delete(next.index));
      running.set(next.index, { driver: next.driver, done });
    }
    if (!running.size) break;
    await Promise.race([...running.values()].map((r) => r.done));
  }
}
