import { describe, expect, it } from 'vitest';
import { sleep, waitUntil } from './wait.ts';

describe('waitUntil', () => {
  it('returns the first value that is done, with attempts and time', async () => {
    let n = 0;
    const r = await waitUntil(
      async () => ++n,
      (v) => v >= 3,
      { what: 'three', timeoutMs: 5_000 },
    );
    expect(r).toMatchObject({ value: 3, attempts: 3, done: true });
  });
  it('gives the last observation when the time runs out, without throwing', async () => {
    const r = await waitUntil(
      async () => 'never',
      () => false,
      { what: 'x', timeoutMs: 100, intervalMs: 10 },
    );
    expect(r.done).toBe(false);
    expect(r.value).toBe('never');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(100);
    // backs off: far fewer than 100 ms / 10 ms attempts
    expect(r.attempts).toBeLessThan(10);
  });
  it('stops at once when cancelled, with the reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop now')), 50);
    const t0 = Date.now();
    await expect(
      waitUntil(
        async () => 0,
        () => false,
        { what: 'x', timeoutMs: 10_000, signal: controller.signal },
      ),
    ).rejects.toThrow('stop now');
    expect(Date.now() - t0).toBeLessThan(1_000);
    await expect(sleep(10_000, controller.signal)).rejects.toThrow('stop now');
  });
});
