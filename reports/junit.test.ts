import { describe, expect, it } from 'vitest';
import { validatorFor } from '../lab/schema.ts';
import { toJUnit } from './junit.ts';
import type { ResultsFile } from './results-file.ts';

const file: ResultsFile = {
  run: {
    id: 'abc123',
    startedAt: '2026-11-29T12:00:00.000Z',
    durationMs: 1500,
    harnessVersion: '0.1.0',
    environment: { kernel: '6.1.0', engines: [{ host: 'h1', version: '20.10' }] },
    lab: { kind: 'netns', hosts: ['h1'] },
  },
  results: [
    {
      driver: 'd<1>',
      mode: 'bridge',
      check: 'isolation/networks',
      verdict: 'fail',
      reason: 'a1→b1 tcp: expected blocked, observed ok & more',
      expected: {},
      observed: {},
      evidence: [{ host: 'h1', command: 'socat', exitCode: 0, output: 'x\u0001y' }],
      durationMs: 1000,
    },
    {
      driver: 'd<1>',
      mode: 'bridge',
      check: 'identity/none',
      verdict: 'skip',
      skip: 'not-applicable',
      reason: 'applies to mode none',
      expected: null,
      observed: null,
      evidence: [],
      durationMs: 0,
    },
    {
      driver: 'd<1>',
      mode: 'bridge',
      check: 'connectivity/same-host',
      verdict: 'pass',
      reason: 'ok',
      expected: null,
      observed: null,
      evidence: [],
      durationMs: 500,
    },
  ],
  summary: { pass: 1, fail: 1, skip: 1, error: 0 },
};

describe('toJUnit', () => {
  it('counts per suite and escapes what XML cannot hold', () => {
    const xml = toJUnit(file);
    expect(xml).toContain('<testsuite name="d&lt;1&gt;" tests="3" failures="1" errors="0" skipped="1"');
    expect(xml).toContain('<failure message="a1→b1 tcp: expected blocked, observed ok &amp; more">');
    expect(xml).toContain('<skipped message="[not applicable] applies to mode none"/>');
    expect(xml).not.toContain('\u0001');
  });

  it('says what the exit status says: a known deviation is a passed testcase carrying it as properties', () => {
    const known = structuredClone(file);
    known.results[0]!.knownDeviation = 'Docker 20.10 forwards it';
    const xml = toJUnit(known);
    expect(xml).toContain('<testsuite name="d&lt;1&gt;" tests="3" failures="0" errors="0" skipped="1"');
    expect(xml).toMatch(/<testsuites [^>]*failures="0"/);
    const testcase = xml.split('\n').find((l) => l.includes('name="isolation/networks"'))!;
    expect(testcase).not.toContain('<failure');
    expect(testcase).toContain('<property name="knownDeviation" value="Docker 20.10 forwards it"/>');
    expect(testcase).toContain('<property name="observedVerdict" value="fail"/>');
    expect(testcase).toContain('known deviation (the check failed; explained, not counted)');
  });
});

describe('results schema', () => {
  const validate = validatorFor('results.schema.json');
  it('accepts a well-formed results file', () => {
    expect(validate(file), JSON.stringify(validate.errors)).toBe(true);
  });
  it('rejects an unknown verdict and a malformed check id, naming the path', () => {
    const bad = structuredClone(file) as unknown as { results: { verdict: string; check: string }[] };
    bad.results[0]!.verdict = 'maybe';
    bad.results[1]!.check = 'no-suite';
    expect(validate(bad)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => e.instancePath);
    expect(paths).toContain('/results/0/verdict');
    expect(paths).toContain('/results/1/check');
  });
});
