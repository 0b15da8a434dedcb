import { quantile } from '../lab/stats.ts';
import type { CheckResult, Summary } from '../suites/framework/result.ts';

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

/** A table per driver (pass/fail/skip/error) and the totals. */
export function summaryTable(results: CheckResult[], summary: Summary): string {
  const drivers = [...new Set(results.map((r) => r.driver))];
  const rows = drivers.map((d) => {
    const mine = results.filter((r) => r.driver === d);
    const c = (v: string) => String(mine.filter((r) => r.verdict === v).length).padStart(5);
    return `${d.padEnd(20)}${c('pass')}${c('fail')}${c('skip')}${c('error')}`;
  });
  const header = `${'driver'.padEnd(20)} pass fail skip error`;
  const counts = [summary.pass, summary.fail, summary.skip, summary.error].map((n) => String(n).padStart(5));
  const total = `${'total'.padEnd(20)}${counts.join('')}`;
  const line = '-'.repeat(header.length);
  return [header, line, ...rows, line, total].join('\n');
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
