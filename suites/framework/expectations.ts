import type { ProbeOutcome } from '../../lab/probes.ts';

/**
 * Expected results as data. `ok`: the probe gets an answer. `blocked`: it gets none (dropped,
 * refused or unreachable all count: the point is that nothing gets through).
 */
export type Expectation = 'ok' | 'blocked';

export const ok: Expectation = 'ok';
export const blocked: Expectation = 'blocked';

export function satisfies(expected: Expectation, observed: ProbeOutcome): boolean {
  return expected === 'ok' ? observed === 'ok' : observed === 'timeout' || observed === 'refused';
}
