import { shownAs } from '../../../suites/framework/result.ts';
import type { ResultsFile } from '../../results-file.ts';
import { esc } from '../escape.ts';
import { SYMBOL, verdictText } from './result-details.ts';

/** Driver × check: one cell per result, linking to its details. */
export function matrix(file: ResultsFile): string {
  const drivers = [...new Set(file.results.map((r) => r.driver))];
  const checks = [...new Set(file.results.map((r) => r.check))];
  const index = new Map(file.results.map((r, i) => [`${r.driver} ${r.check}`, i]));
  const head = checks.map((c) => `<th class="check" data-check="${esc(c)}"><span>${esc(c)}</span></th>`).join('');
  const rows = drivers.map((d) => {
    const cells = checks.map((c) => {
      const i = index.get(`${d} ${c}`);
      if (i === undefined) return '<td class="none"></td>';
      const r = file.results[i]!;
      const shown = shownAs(r);
      const flaky = r.repeat?.flaky ? ' flaky' : '';
      const kind = r.verdict === 'skip' ? ` ${shown}` : '';
      const classes = `cell ${r.verdict}${kind}${r.knownDeviation ? ' known' : ''}${flaky}`;
      const title = esc(`${d} ${c}: ${verdictText(r)}: ${r.reason}`);
      const link = `<a href="#r-${i}" data-open="r-${i}">${SYMBOL[shown]}${flaky ? '~' : ''}</a>`;
      return `<td class="${classes}" data-check="${esc(c)}" data-verdict="${r.verdict}" title="${title}">${link}</td>`;
    });
    return `<tr data-driver="${esc(d)}"><th>${esc(d)}</th>${cells.join('')}</tr>`;
  });
  const thead = `<thead><tr><th>driver \\ check</th>${head}</tr></thead>`;
  const legend = Object.entries(SYMBOL)
    .map(([k, sym]) => `${sym} ${k.replace('-', ' ')}`)
    .join(', ');
  const table = `<div class="scroll"><table id="matrix">${thead}<tbody>${rows.join('')}</tbody></table></div>`;
  const note =
    '(a skip is either not run here, or not applicable to the mode; ~ flaky: it went both ways when repeated)';
  return `<p class="meta legend">${legend} ${note}</p>${table}`;
}
