import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../suites/framework/result.ts';
import { compareRuns } from './compare.ts';
import type { ResultsFile } from './results-file.ts';

function file(id: string, results: Partial<CheckResult>[]): ResultsFile {
  return {
    run: {
      id,
      startedAt: '2026-11-29T00:00:00.000Z',
      durationMs: 1,
      harnessVersion: '0.1.0',
      environment: { kernel: 'k', engines: [] },
      lab: { kind: 'netns', hosts: ['h1'] },
    },
    results: results.map((r) => ({
      driver: 'd',
      mode: 'bridge',
      check: 'a/b',
      verdict: 'pass',
      reason: '',
      expected: null,
      observed: null,
      evidence: [],
      durationMs: 0,
      ...r,
    })),
    summary: { pass: 0, fail: 0, skip: 0, error: 0 },
  };
}

describe('compareRuns', () => {
  it('finds new failures and fixes, ignoring known deviations that stay as they were', () => {
    const a = file('aaaaaa', [
      { check: 'x/one' },
      { check: 'x/two', verdict: 'fail' },
      { check: 'x/known', verdict: 'fail', knownDeviation: 'why' },
    ]);
    const b = file('bbbbbb', [
      { check: 'x/one', verdict: 'fail', reason: 'broke' },
      { check: 'x/two' },
      { check: 'x/known', verdict: 'fail', knownDeviation: 'why' },
      { check: 'x/new', verdict: 'error' },
    ]);
    const c = compareRuns(a, b);
    expect(c.newFailures.map((x) => `${x.check} ${x.before}→${x.after}`)).toEqual([
      'x/one pass→fail',
      'x/new absent→error',
    ]);
    expect(c.fixes.map((x) => x.check)).toEqual(['x/two']);
  });
  it('reports a figure only when its interval no longer overlaps the baseline', () => {
    const fig = (median: number, lo: number, hi: number) => ({ metrics: { median, ci95: [lo, hi], unit: 'Gbit/s' } });
    const a = file('aaaaaa', [
      { check: 'throughput/x', ...fig(10, 9, 11) },
      { check: 'throughput/y', ...fig(10, 9, 11) },
    ]);
    const b = file('bbbbbb', [
      { check: 'throughput/x', ...fig(9.5, 8.8, 10.2) },
      { check: 'throughput/y', ...fig(7, 6.5, 7.5) },
    ]);
    const c = compareRuns(a, b);
    expect(c.performance).toHaveLength(1);
    expect(c.performance[0]).toMatchObject({ name: 'd throughput/y', before: 10, after: 7 });
    expect(c.performance[0]!.change).toBeCloseTo(-0.3, 5);
  });
});
