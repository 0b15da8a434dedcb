import { quantile } from '../lab/stats.ts';
import { SHOWN, shownAs, type CheckResult, type Shown } from '../suites/framework/result.ts';

const MARK: Record<CheckResult['verdict'], string> = { pass: '✓', fail: '✗', skip: '-', error: '!' };

/** One line per finished check, as it finishes. */
export function progressLine(r: CheckResult, index: number): string {
  const time = r.verdict === 'skip' ? '' : ` (${(r.durationMs / 1000).toFixed(1)}s)`;
  const reason =
    r.verdict === 'pass'
      ? ''
      : `${r.knownDeviation ? ' [known deviation]' : ''}: ${r.reason.split('\n')[0]!.slice(0, 160)}`;
  const verdict = `${MARK[r.verdict]} ${r.verdict.padEnd(5)}`;
  return `${String(index).padStart(3)} ${verdict} ${r.driver.padEnd(18)} ${r.check}${time}${reason}`;
}

const COLUMNS: Record<Shown, string> = {
  pass: 'pass',
  fail: 'fail',
  error: 'error',
  'not-run': 'not run',
  'not-applicable': 'n/a',
};

/** A table per driver (pass, fail, error, and skips: not run, not applicable) and the totals. */
export function summaryTable(results: CheckResult[]): string {
  const drivers = [...new Set(results.map((r) => r.driver))];
  const counts = (rs: CheckResult[]) =>
    SHOWN.map((v) => String(rs.filter((r) => shownAs(r) === v).length).padStart(COLUMNS[v].length + 1)).join('');
  const rows = drivers.map((d) => `${d.padEnd(20)}${counts(results.filter((r) => r.driver === d))}`);
  const header = `${'driver'.padEnd(20)}${SHOWN.map((v) => ` ${COLUMNS[v]}`).join('')}`;
  const line = '-'.repeat(header.length);
  return [header, line, ...rows, line, `${'total'.padEnd(20)}${counts(results)}`].join('\n');
}

/** Median sandbox creation time per driver, from the checks' metrics. */
export function sandboxTimings(results: CheckResult[]): string {
  const per = new Map<string, number[]>();
  for (const r of results) {
    const ms = r.metrics?.sandboxCreateMs;
    if (Array.isArray(ms)) per.set(r.driver, [...(per.get(r.driver) ?? []), ...(ms as number[])]);
  }
  if (!per.size) return '';
  const medians = [...per].map(([d, xs]) => `${d} ${Math.round(quantile(xs, 0.5))} ms (n=${xs.length})`);
  return `sandbox creation (median): ${medians.join(', ')}`;
}
