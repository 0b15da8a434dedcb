import type { Mode } from '../../drivers/contract.ts';
import type { Repeated } from './repeat.ts';
import type { SkipKind } from './requirements.ts';

export type Verdict = 'pass' | 'fail' | 'skip' | 'error';

/** The lab itself reports under this mode (the leak audit). */
export type ResultMode = Mode | 'lab';

/** One command behind a verdict: where it ran, what it was, what it printed. */
export interface Evidence {
  host: string;
  command: string;
  exitCode: number;
  output: string;
}

/** One check on one driver: the row results.json, JUnit and the console are made from. */
export interface CheckResult {
  driver: string;
  mode: ResultMode;
  check: string;
  verdict: Verdict;
  reason: string;
  expected: unknown;
  observed: unknown;
  evidence: Evidence[];
  durationMs: number;
  metrics?: Record<string, unknown>;
  /** On a skip: the check does not apply to this kind of driver, or it could apply but was not run. */
  skip?: SkipKind;
  /** With `run --repeat N`: every run's verdict, and whether the check went both ways (flaky). */
  repeat?: Repeated;
  /** On an error: what the harness or the lab could not rely on (a LabFault's component). */
  component?: string;
  /** Set on a fail that is a known, explained deviation of the driver (suites/known-deviations.ts). */
  knownDeviation?: string;
}

export interface Summary {
  pass: number;
  fail: number;
  skip: number;
  error: number;
}

/** A fail that fails the run (exit status, JUnit): one that is not a known, explained deviation. */
export function countsAsFailure(r: Pick<CheckResult, 'verdict' | 'knownDeviation'>): boolean {
  return r.verdict === 'fail' && !r.knownDeviation;
}

/** What a result shows, with skips told apart: the columns of the reports. */
export type Shown = 'pass' | 'fail' | 'error' | 'not-run' | 'not-applicable';
export const SHOWN: readonly Shown[] = ['pass', 'fail', 'error', 'not-run', 'not-applicable'];

export function shownAs(r: Pick<CheckResult, 'verdict' | 'skip'>): Shown {
  return r.verdict === 'skip' ? (r.skip ?? 'not-run') : r.verdict;
}

export function summarize(results: CheckResult[]): Summary {
  const s: Summary = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const r of results) s[r.verdict]++;
  return s;
}
