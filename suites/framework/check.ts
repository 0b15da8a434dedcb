import type { CheckContext } from './context.ts';
import type { LabResource } from './lab-claims.ts';
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
  /**
   * What the check needs to itself while it runs (lab-claims.ts): what it may upset for others
   * (arbitrary requests straight to a plugin), or what it reads whole where others' work would be
   * sure to show (VXLAN devices beside another overlay). Checks of drivers that touch it wait.
   */
  exclusive?: LabResource[];
  /**
   * What the check reads whole (a footprint before and after) where others' work rarely shows. It
   * can only add to what the check sees, so the check runs beside others and a pass stands; a fail
   * or an error is run again with the resource to itself, and that verdict counts (engine.ts).
   */
  readsWhole?: LabResource[];
  /**
   * The check injects faults into the lab (resilience/*): a run with such checks runs its drivers
   * one after another, so that no driver's verdicts depend on another's fault.
   */
  injectsFaults?: boolean;
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
