import type { CheckContext } from './context.ts';
import type { Requirements } from './requirements.ts';

/** What a check concludes. Skips come from requirements, errors from exceptions: neither is returned here. */
export interface CheckOutcome {
  verdict: 'pass' | 'fail';
  reason: string;
  expected: unknown;
  observed: unknown;
  metrics?: Record<string, unknown>;
}

/** One conformance check: an id `<suite>/<name>`, what it needs, and how it runs. */
export interface Check {
  id: string;
  title: string;
  requires: Requirements;
  /** Upper bound on the check's run time; past it the check errors and the run goes on. */
  timeoutMs?: number;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export function defineCheck(check: Check): Check {
  if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(check.id)) throw new Error(`check id ${check.id} is not <suite>/<name>`);
  return check;
}

/** pass when `ok`, else fail with `reason`. */
export function verdict(
  okay: boolean,
  reason: { pass: string; fail: string },
  expected: unknown,
  observed: unknown,
  metrics?: Record<string, unknown>,
): CheckOutcome {
  return {
    verdict: okay ? 'pass' : 'fail',
    reason: okay ? reason.pass : reason.fail,
    expected,
    observed,
    ...(metrics ? { metrics } : {}),
  };
}
