import { describe, expect, it } from 'vitest';
import { sparePair } from './spare-vnis.ts';

describe('sparePair', () => {
  it('hands out distinct two-VNI pairs at the top of the range, inside it, and comes round again', () => {
    const pairs = Array.from({ length: 40 }, () => sparePair([256, 1000]));
    for (const [a, b] of pairs) {
      expect(b).toBe(a + 1);
      expect(a).toBeGreaterThanOrEqual(256);
      expect(b).toBeLessThanOrEqual(1000);
    }
    const first32 = new Set(pairs.slice(0, 32).map((p) => p.join('-')));
    expect(first32.size).toBe(32);
    expect(Math.min(...pairs.map(([a]) => a))).toBeGreaterThan(900);
    // a range too narrow for several pairs still gets one inside it
    const [a, b] = sparePair([256, 259]);
    expect([a, b]).toEqual([258, 259]);
  });
});
