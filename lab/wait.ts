import { setTimeout as delay } from 'node:timers/promises';

/** Sleeps `ms`, or throws the signal's reason as soon as it is aborted. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, signal ? { signal } : {}).catch((e: unknown) => {
    throw signal?.aborted ? signal.reason : e;
  });
}

export interface WaitOptions {
  /** What is awaited, for the error: "names to resolve", "the devices to go". */
  what: string;
  timeoutMs: number;
  /** The first pause; each next one is 1.5× longer, up to `maxIntervalMs`. */
  intervalMs?: number;
  maxIntervalMs?: number;
  signal?: AbortSignal;
}

export interface Waited<T> {
  value: T;
  attempts: number;
  elapsedMs: number;
  /** Whether `done` held (false: the time ran out and `value` is the last observation). */
  done: boolean;
}

/**
 * Calls `attempt` until `done(value)` holds or the time runs out, backing off from milliseconds.
 * Never throws for the timeout: the caller judges the last observation (a convergence time is a
 * result here, and so is "never converged"). Throws the signal's reason when cancelled.
 */
export async function waitUntil<T>(
  attempt: () => Promise<T>,
  done: (value: T) => boolean,
  options: WaitOptions,
): Promise<Waited<T>> {
  const t0 = Date.now();
  let interval = options.intervalMs ?? 20;
  let attempts = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    attempts++;
    const value = await attempt();
    const elapsedMs = Date.now() - t0;
    if (done(value)) return { value, attempts, elapsedMs, done: true };
    if (elapsedMs >= options.timeoutMs) return { value, attempts, elapsedMs, done: false };
    await sleep(Math.min(interval, options.timeoutMs - elapsedMs), options.signal);
    interval = Math.min(interval * 1.5, options.maxIntervalMs ?? 500);
  }
}

/** Waits for `promise` to settle, or `ms` at most (the timer does not hold the process open); never throws. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  await Promise.race([promise.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
}
