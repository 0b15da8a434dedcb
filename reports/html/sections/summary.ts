import type { CheckResult } from '../../../suites/framework/result.ts';
import type { ResultsFile } from '../../results-file.ts';
import { esc } from '../escape.ts';
import { table } from '../markup.ts';

/** A driver's overall verdict: any error or unexplained fail fails it; explained fails are deviations. */
export function driverVerdict(results: CheckResult[]): 'conforms' | 'deviates' | 'fails' {
  if (results.some((r) => r.verdict === 'error' || (r.verdict === 'fail' && !r.knownDeviation))) return 'fails';
  return results.some((r) => r.verdict === 'fail') ? 'deviates' : 'conforms';
}

const VERDICTS = ['pass', 'fail', 'skip', 'error'] as const;

/** Per driver: its overall verdict and counts; the totals in the footer. */
export function summary(file: ResultsFile): string {
  const drivers = [...new Set(file.results.map((r) => r.driver))];
  const rows = drivers.map((d) => {
    const mine = file.results.filter((r) => r.driver === d);
    const verdict = driverVerdict(mine);
    const counts = VERDICTS.map((v) => `<td class="n ${v}">${mine.filter((r) => r.verdict === v).length}</td>`);
    const cells = `<th>${esc(d)}</th><td class="verdict ${verdict}">${verdict}</td>${counts.join('')}`;
    return `<tr data-driver="${esc(d)}">${cells}</tr>`;
  });
  const totals = VERDICTS.map((v) => `<td class="n" id="total-${v}">${file.summary[v]}</td>`);
  const foot = `<tr><th>total</th><td></td>${totals.join('')}</tr>`;
  return table(['driver', 'verdict', ...VERDICTS], rows, 'id="summary"', foot);
}
