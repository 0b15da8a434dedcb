import { auditBetween, snapshot, type Audit, type Snapshot } from '../lab/audit.ts';
import { remoteAudit, type RemoteSnapshots } from '../lab/remote/remote-audit.ts';
import type { CheckResult } from '../suites/framework/result.ts';

/** A machine snapshot, or why none could be taken (a tool failing is never "nothing there"). */
export async function trySnapshot(): Promise<Snapshot | Error> {
  return snapshot().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
}

export interface AuditOutcome {
  result: CheckResult;
  audit?: Audit;
}

/**
 * `lifecycle/leak-audit`: what the run left on the machine (a fail) beside what others changed
 * meanwhile (listed, never blamed); an error naming the snapshot when the machine could not be read.
 */
/** Links the checks saw a driver leave behind (`observed.leftBehind`: "link NAME kind", maybe prefixed by a host). */
function linksLeftBehind(results: CheckResult[]): string[] {
  const names = new Set<string>();
  // a check run again alone saw its first attempt's too (metrics.rerunAlone.observed)
  const observations = results.flatMap((r) => [
    r.observed,
    (r.metrics?.rerunAlone as { observed?: unknown } | undefined)?.observed,
  ]);
  for (const observed of observations) {
    const left = (observed as { leftBehind?: unknown } | null | undefined)?.leftBehind;
    if (!Array.isArray(left)) continue;
    for (const line of left) {
      const m = typeof line === 'string' ? /(?:^|: )link (\S+)/.exec(line) : null;
      if (m) names.add(m[1]!);
    }
  }
  return [...names];
}

export async function leakAudit(
  before: Snapshot | Error,
  ownRunId: string | undefined,
  results: CheckResult[] = [],
  launchedPlugins: string[] = [],
  /** A remote lab's hosts, read after the lab came up and after the work. */
  remote?: { before: RemoteSnapshots; after: RemoteSnapshots },
): Promise<AuditOutcome> {
  const t0 = Date.now();
  const after = await trySnapshot();
  let remoteFound: Audit = { leaks: [], foreign: [] };
  try {
    if (remote && ownRunId) remoteFound = await remoteAudit(remote.before, remote.after, ownRunId);
  } catch (e) {
    return {
      result: {
        driver: 'lab',
        mode: 'lab',
        check: 'lifecycle/leak-audit',
        expected: { leaks: [] },
        verdict: 'error',
        reason: `remote host snapshot: ${(e as Error).message}; nothing is known about leaks there`,
        component: 'remote host snapshot',
        observed: null,
        evidence: [],
        durationMs: Date.now() - t0,
      },
    };
  }
  const base = { driver: 'lab', mode: 'lab' as const, check: 'lifecycle/leak-audit', expected: { leaks: [] } };
  const broken = [before, after].find((s): s is Error => s instanceof Error);
  if (broken)
    return {
      result: {
        ...base,
        verdict: 'error',
        reason: `machine snapshot: could not read the machine, so nothing is known about leaks: ${broken.message}`,
        component: 'machine snapshot',
        observed: null,
        evidence: [],
        durationMs: Date.now() - t0,
      },
    };
  const machine = await auditBetween(
    before as Snapshot,
    after as Snapshot,
    ownRunId,
    linksLeftBehind(results),
    launchedPlugins,
  );
  const audit: Audit = {
    leaks: [...machine.leaks, ...remoteFound.leaks],
    foreign: [...machine.foreign, ...remoteFound.foreign],
  };
  const { leaks, foreign } = audit;
  const others = foreign.length ? `; ${foreign.length} change(s) by others during the run, listed, not counted` : '';
  const listed = leaks
    .map((l) => `${l.kind} ${l.item}`)
    .slice(0, 5)
    .join('; ');
  return {
    audit,
    result: {
      ...base,
      verdict: leaks.length ? 'fail' : 'pass',
      reason: leaks.length
        ? `${leaks.length} object(s) left behind: ${listed}${others}`
        : `the machine holds nothing of this run after it${others}`,
      observed: { leaks, foreign },
      evidence: [
        ...leaks.map((l) => ({ host: 'machine', command: `audit ${l.kind}`, exitCode: 1, output: l.item })),
        ...foreign.map((f) => ({
          host: 'machine',
          command: `audit ${f.kind} (${f.change} by others during the run)`,
          exitCode: 0,
          output: f.item,
        })),
      ],
      durationMs: Date.now() - t0,
    },
  };
}
