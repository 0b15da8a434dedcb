import type { ResultsFile } from '../../results-file.ts';
import { esc } from '../escape.ts';
import { SYMBOL } from './result-details.ts';

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
      const classes = `cell ${r.verdict}${r.knownDeviation ? ' known' : ''}`;
      const title = esc(`${d} ${c}: ${r.verdict}: ${r.reason}`);
      const link = `<a href="#r-${i}" data-open="r-${i}">${SYMBOL[r.verdict]}</a>`;
      return `<td class="${classes}" data-check="${esc(c)}" data-verdict="${r.verdict}" title="${title}">${link}</td>`;
    });
    return `<tr data-driver="${esc(d)}"><th>${esc(d)}</th>${cells.join('')}</tr>`;
  });
  const thead = `<thead><tr><th>driver \\ check</th>${head}</tr></thead>`;
  return `<div class="scroll"><table id="matrix">${thead}<tbody>${rows.join('')}</tbody></table></div>`;
}
