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
    name: 'resilience',
    title:
      'Resilience: a plugin restart, an engine restart and, where they apply, an etcd outage and a partition ' +
      'leave the network working',
    // underlay-impairment measures rather than certifies: its figures are in the results, not in the level
    checks: /^resilience\/(plugin-restart|engine-restart|kv-outage|partition)$/,
    // faults take minutes and run drivers one at a time: claimed by naming it in a manifest
    claimedBy: () => false,
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
 * neither for nor against. A fail fails the level; an error (the harness or the lab could not
 * observe) never counts against the driver: a level with errors and no fail is not demonstrated, as
 * is one with no applicable check, which keeps a claim from passing without blaming the driver. A
 * known deviation is still a fail here: the certificate is about the specification.
 */
export function judgeLevels(results: CheckResult[], driverId: string, claimed: Level[]): LevelOutcome[] {
  return LEVELS.map((level) => {
    const mine = results.filter(
      (r) => (r.driver === driverId || (r.driver === 'lab' && level.name === 'core')) && level.checks.test(r.check),
    );
    const counts: Summary = { pass: 0, fail: 0, skip: 0, error: 0 };
    for (const r of mine) counts[r.verdict]++;
    const decided = mine.filter((r) => r.verdict !== 'skip');
    const failed = decided.filter((r) => r.verdict === 'fail');
    const unobserved = decided.filter((r) => r.verdict === 'error');
    const problems = [
      ...failed.map((r) => `${r.check}: fail — ${r.reason.slice(0, 200)}`),
      ...unobserved.map(
        (r) => `${r.check}: not observed (error${r.component ? `, ${r.component}` : ''}) — ${r.reason.slice(0, 200)}`,
      ),
    ];
    let verdict: LevelVerdict;
    // figures claimed but not measured (the bench stopped) are not demonstrated; none asked for is no claim broken
    if (level.informational) verdict = unobserved.length ? 'not-demonstrated' : 'informational';
    else if (failed.length) verdict = 'fail';
    else if (unobserved.length || !decided.length) verdict = 'not-demonstrated';
    else verdict = 'pass';
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
