import { describe, expect, it } from 'vitest';
import type { CheckResult } from './framework/result.ts';
import { certificatePasses, defaultClaims, judgeLevels } from './levels.ts';

const r = (check: string, verdict: CheckResult['verdict'], driver = 'remote:x'): CheckResult => ({
  driver,
  mode: 'bridge',
  check,
  verdict,
  reason: `${check} ${verdict}`,
  expected: null,
  observed: null,
  evidence: [],
  durationMs: 1,
});

describe('conformance levels', () => {
  const results = [
    r('connectivity/same-host', 'pass'),
    r('isolation/networks', 'pass'),
    r('lifecycle/connect-disconnect', 'pass'),
    r('lifecycle/leak-audit', 'pass', 'lab'),
    r('identity/none', 'skip'),
    r('nat/egress-masquerade', 'fail'),
    r('nat/published-port', 'pass'),
    r('connectivity/cross-host', 'skip'),
    r('protocol/fuzz', 'error'),
    r('connectivity/same-host', 'fail', 'other-driver'),
  ];
  const levels = judgeLevels(results, 'remote:x', ['core', 'nat', 'multi-host', 'protocol']);
  const level = (n: string) => levels.find((l) => l.name === n)!;

  it("count only the driver's own checks (and the run's leak audit in core); skips count neither way", () => {
    expect(level('core')).toMatchObject({ verdict: 'pass', counts: { pass: 4, fail: 0, skip: 1, error: 0 } });
    expect(level('nat')).toMatchObject({ verdict: 'fail', counts: { pass: 1, fail: 1, skip: 0, error: 0 } });
    expect(level('nat').problems[0]).toMatch(/^nat\/egress-masquerade: fail/);
  });

  it('an error never counts against the driver: its level is not demonstrated, with the error named', () => {
    expect(level('protocol').verdict).toBe('not-demonstrated');
    expect(level('protocol').problems[0]).toMatch(/^protocol\/fuzz: not observed \(error/);
    expect(certificatePasses(judgeLevels(results, 'remote:x', ['protocol']))).toBe(false);
  });

  it('a claimed level with no applicable check is not demonstrated, and fails the certificate', () => {
    expect(level('multi-host').verdict).toBe('not-demonstrated');
    expect(certificatePasses(levels)).toBe(false);
    const coreOnly = judgeLevels(results, 'remote:x', ['core']);
    expect(certificatePasses(coreOnly)).toBe(true);
  });

  it('resilience is judged by plugin and engine restarts, kv-outage and partition; impairment does not count', () => {
    const faults = [
      r('resilience/plugin-restart', 'pass'),
      r('resilience/engine-restart', 'pass'),
      r('resilience/kv-outage', 'skip'),
      r('resilience/underlay-impairment', 'fail'),
    ];
    const judged = judgeLevels(faults, 'remote:x', ['resilience']).find((l) => l.name === 'resilience')!;
    expect(judged).toMatchObject({
      verdict: 'pass',
      claimed: true,
      checks: ['resilience/plugin-restart', 'resilience/engine-restart'],
    });
    const broken = judgeLevels([...faults, r('resilience/partition', 'fail')], 'remote:x', ['resilience']);
    expect(broken.find((l) => l.name === 'resilience')!.verdict).toBe('fail');
    expect(certificatePasses(broken)).toBe(false);
  });

  it('claims follow the profile when a manifest lists none', () => {
    expect(
      defaultClaims({
        mode: 'overlay',
        scope: 'global',
        isolated: true,
        nat: false,
        dns: false,
        multiHost: true,
        remote: true,
      }),
    ).toEqual(['core', 'multi-host', 'protocol', 'performance']);
    expect(
      defaultClaims({ mode: 'bridge', scope: 'local', isolated: true, nat: true, dns: true, multiHost: false }),
    ).toEqual(['core', 'nat', 'performance']);
  });
});
