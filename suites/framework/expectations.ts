import type { ProbeOutcome } from '../../lab/probes.ts';

/**
 * Expected results as data. `ok`: the probe gets an answer. `blocked`: it gets none — dropped,
 * refused or unreachable all count, the point is that nothing gets through. A probe that could not
 * run (`tool-error`) or a name that did not resolve satisfies neither.
 */
export type Expectation = 'ok' | 'blocked';

export const ok: Expectation = 'ok';
export const blocked: Expectation = 'blocked';

const SATISFIED_BY: Record<Expectation, readonly ProbeOutcome[]> = {
  ok: ['ok'],
  blocked: ['timeout', 'refused', 'unreachable'],
};

export function satisfies(expected: Expectation, observed: ProbeOutcome): boolean {
  return SATISFIED_BY[expected].includes(observed);
}
