import type { CheckResult, Verdict } from './result.ts';

/** What repeating a check showed: every run's verdict, and whether it went both ways. */
export interface Repeated {
  runs: number;
  passes: number;
  verdicts: Verdict[];
  /** It both passed and did not (failed or errored) across the runs. */
  flaky: boolean;
}

const WORST: Verdict[] = ['error', 'fail', 'pass', 'skip'];

/**
 * One result for a check run several times: the worst verdict (an error over a fail over a pass),
 * with the evidence of the first run that gave it, and every run's verdict under `repeat`. A check
 * that both passed and failed is flaky: its reason says how often it passed.
 */
export function combineRepeats(runs: CheckResult[]): CheckResult {
  if (runs.length === 1) return runs[0]!;
  const verdicts = runs.map((r) => r.verdict);
  const worst = WORST.find((v) => verdicts.includes(v))!;
  const shown = runs.find((r) => r.verdict === worst)!;
  const passes = verdicts.filter((v) => v === 'pass').length;
  const flaky = passes > 0 && passes < runs.length;
  const repeat: Repeated = { runs: runs.length, passes, verdicts, flaky };
  return {
    ...shown,
    reason: flaky ? `flaky: passed ${passes} of ${runs.length} runs; ${worst}: ${shown.reason}` : shown.reason,
    durationMs: runs.reduce((t, r) => t + r.durationMs, 0),
    repeat,
  };
}
