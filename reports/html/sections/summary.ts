import { countsAsFailure, SHOWN, shownAs, type CheckResult, type Shown } from '../../../suites/framework/result.ts';
import type { ResultsFile } from '../../results-file.ts';
import { esc } from '../escape.ts';
import { table } from '../markup.ts';

/** A driver's overall verdict: any error or unexplained fail fails it; explained fails are deviations. */
export function driverVerdict(results: CheckResult[]): 'conforms' | 'deviates' | 'fails' {
  if (results.some((r) => r.verdict === 'error' || countsAsFailure(r))) return 'fails';
  return results.some((r) => r.verdict === 'fail') ? 'deviates' : 'conforms';
}

const HEADINGS: Record<Shown, string> = {
  pass: 'pass',
  fail: 'fail',
  error: 'error',
  'not-run': 'skip: not run',
  'not-applicable': 'skip: n/a',
};

/** Per driver: its overall verdict and counts; the totals in the footer. */
export function summary(file: ResultsFile): string {
  const drivers = [...new Set(file.results.map((r) => r.driver))];
  const rows = drivers.map((d) => {
    const mine = file.results.filter((r) => r.driver === d);
    const verdict = driverVerdict(mine);
    const counts = SHOWN.map((v) => `<td class="n ${v}">${mine.filter((r) => shownAs(r) === v).length}</td>`);
    const cells = `<th>${esc(d)}</th><td class="verdict ${verdict}">${verdict}</td>${counts.join('')}`;
    return `<tr data-driver="${esc(d)}">${cells}</tr>`;
  });
  const totals = SHOWN.map(
    (v) => `<td class="n" id="total-${v}">${file.results.filter((r) => shownAs(r) === v).length}</td>`,
  );
  const foot = `<tr><th>total</th><td></td>${totals.join('')}</tr>`;
  return table(['driver', 'verdict', ...SHOWN.map((v) => HEADINGS[v])], rows, 'id="summary"', foot);
}
