import { describe, expect, it } from 'vitest';
import { combineRepeats } from './repeat.ts';
import type { CheckResult, Verdict } from './result.ts';

const run = (verdict: Verdict, reason: string = verdict): CheckResult => ({
  driver: 'd',
  mode: 'bridge',
  check: 'x/y',
  verdict,
  reason,
  expected: null,
  observed: null,
  evidence: [{ host: 'h', command: reason, exitCode: 0, output: '' }],
  durationMs: 10,
});

describe('combineRepeats', () => {
  it('one run stays as it is', () => {
    expect(combineRepeats([run('pass')]).repeat).toBeUndefined();
  });
  it('all passes: a pass, not flaky', () => {
    const r = combineRepeats([run('pass'), run('pass'), run('pass')]);
    expect(r.verdict).toBe('pass');
    expect(r.repeat).toEqual({ runs: 3, passes: 3, verdicts: ['pass', 'pass', 'pass'], flaky: false });
    expect(r.durationMs).toBe(30);
  });
  it('a pass and a fail: flaky, shown as the fail with its evidence and the pass rate', () => {
    const r = combineRepeats([run('pass'), run('fail', 'a→b tcp: expected blocked, observed ok'), run('pass')]);
    expect(r.verdict).toBe('fail');
    expect(r.repeat?.flaky).toBe(true);
    expect(r.reason).toBe('flaky: passed 2 of 3 runs; fail: a→b tcp: expected blocked, observed ok');
    expect(r.evidence[0]!.command).toBe('a→b tcp: expected blocked, observed ok');
  });
  it('an error outweighs a fail; always failing is not flaky', () => {
    expect(combineRepeats([run('fail'), run('error')]).verdict).toBe('error');
    expect(combineRepeats([run('fail'), run('fail')]).repeat?.flaky).toBe(false);
  });
});
