import type { Profile } from '../drivers/contract.ts';
import type { Level } from '../drivers/manifest/manifest.ts';
import type { CheckResult, Summary } from './framework/result.ts';

export type { Level } from '../drivers/manifest/manifest.ts';

/** A conformance level: a named set of checks, and which profiles claim it when a manifest does not say. */
export interface LevelDefinition {
  name: Level;
  title: string;
  /** Check ids of the level (`lifecycle/leak-audit` is the lab's audit of the whole run). */
  checks: RegExp;
  claimedBy(profile: Profile): boolean;
  /** Figures only: never passes or fails a certificate. */
  informational?: boolean;
}

export const LEVELS: LevelDefinition[] = [
  {
    name: 'core',
    title: 'Core: lifecycle without leaks, mode identity, connectivity on one host, isolation for its mode',
    checks: /^(identity\/|connectivity\/same-host|isolation\/|lifecycle\/)/,
    claimedBy: () => true,
  },
  {
    name: 'nat',
    title: 'NAT: egress masquerade, private addresses unreachable, published ports, internal networks',
    checks: /^nat\//,
    claimedBy: (p) => p.nat || p.publish === true,
  },
  {
    name: 'multi-host',
    title: 'Multi-host: connectivity across hosts, VNIs, MTU, convergence',
    checks: /^(connectivity\/cross-host|vni\/|mtu\/|convergence\/)/,
    claimedBy: (p) => p.multiHost,
  },
  {
    name: 'protocol',
    title: 'Protocol: the remote plugin protocol suite and fuzzing',
    checks: /^protocol\//,
    claimedBy: (p) => p.remote === true,
  },
  {
    name: 'performance',
    title: "Performance: measured ratios to the machine's ceilings (informational)",
    checks: /^(throughput|latency)\//,
    claimedBy: () => true,
    informational: true,
  },
];

export type LevelVerdict = 'pass' | 'fail' | 'not-demonstrated' | 'informational';

export interface LevelOutcome {
  name: Level;
  title: string;
  claimed: boolean;
  verdict: LevelVerdict;
  counts: Summary;
  /** The checks that decided it: every non-skipped one. */
  checks: string[];
  /** Why it did not pass: the failing or erroring checks with their reasons. */
  problems: string[];
}

/**
 * Judges each level from a run's results for one driver. A check that does not apply (skip) counts
 * neither for nor against; a level with no applicable check is not demonstrated, which fails a
 * claim. A known deviation is still a fail here: the certificate is about the specification.
 */
export function judgeLevels(results: CheckResult[], driverId: string, claimed: Level[]): LevelOutcome[] {
  return LEVELS.map((level) => {
    const mine = results.filter(
      (r) => (r.driver === driverId || (r.driver === 'lab' && level.name === 'core')) && level.checks.test(r.check),
    );
    const counts: Summary = { pass: 0, fail: 0, skip: 0, error: 0 };
    for (const r of mine) counts[r.verdict]++;
    const decided = mine.filter((r) => r.verdict !== 'skip');
    const problems = decided
      .filter((r) => r.verdict === 'fail' || r.verdict === 'error')
      .map((r) => `${r.check}: ${r.verdict} — ${r.reason.slice(0, 200)}`);
    let verdict: LevelVerdict;
    if (level.informational) verdict = 'informational';
    else if (!decided.length) verdict = 'not-demonstrated';
    else verdict = problems.length ? 'fail' : 'pass';
    return {
      name: level.name,
      title: level.title,
      claimed: claimed.includes(level.name),
      verdict,
      counts,
      checks: decided.map((r) => r.check),
      problems,
    };
  });
}

/** The levels a profile claims when its manifest lists none. */
export function defaultClaims(profile: Profile): Level[] {
  return LEVELS.filter((l) => l.claimedBy(profile)).map((l) => l.name);
}

/** 0 when every claimed level that is not informational passed. */
export function certificatePasses(levels: LevelOutcome[]): boolean {
  return levels.every((l) => !l.claimed || l.verdict === 'pass' || l.verdict === 'informational');
}
