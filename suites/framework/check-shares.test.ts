import { describe, expect, it } from 'vitest';
import { CheckShares } from './check-shares.ts';

describe('CheckShares', () => {
  it('gives each driver an even share of the total within its bounds, more as drivers leave', () => {
    const shares = new CheckShares(8, 2, 4);
    const a = shares.join();
    expect(a.concurrency).toBe(4);
    const others = [shares.join(), shares.join(), shares.join()];
    expect([a, ...others].map((l) => l.concurrency)).toEqual([2, 2, 2, 2]);
    const fifth = shares.join();
    expect(fifth.concurrency).toBe(2);
    shares.leave(fifth);
    shares.leave(others[0]!);
    expect(a.concurrency).toBe(2);
    shares.leave(others[1]!);
    expect(a.concurrency).toBe(4);
    expect(others[2]!.concurrency).toBe(4);
  });

  it('starts queued checks as soon as a share grows', async () => {
    const shares = new CheckShares(4, 2, 4);
    const a = shares.join();
    const b = shares.join();
    const running: number[] = [];
    let peak = 0;
    const release: (() => void)[] = [];
    const task = () =>
      a(async () => {
        running.push(1);
        peak = Math.max(peak, running.length);
        await new Promise<void>((r) => release.push(r));
        running.pop();
      });
    const all = [task(), task(), task(), task()];
    await new Promise((r) => setImmediate(r));
    expect(running.length).toBe(2);
    shares.leave(b);
    await new Promise((r) => setImmediate(r));
    expect(running.length).toBe(4);
    for (const r of release) r();
    await Promise.all(all);
    expect(peak).toBe(4);
  });
});
