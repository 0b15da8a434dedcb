import { esc } from './escape.ts';

/** A table row of already-rendered cells. */
export function row(cells: string[], attributes = ''): string {
  return `<tr${attributes ? ` ${attributes}` : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/** A table with a header of plain-text column names and rendered body rows. */
export function table(columns: string[], rows: string[], attributes = '', foot = ''): string {
  const head = `<thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`;
  const tfoot = foot ? `<tfoot>${foot}</tfoot>` : '';
  return `<table${attributes ? ` ${attributes}` : ''}>${head}<tbody>${rows.join('')}</tbody>${tfoot}</table>`;
}

/** A verdict as a coloured word. */
export function verdictSpan(verdict: string, text = verdict): string {
  return `<span class="v ${esc(verdict)}">${esc(text)}</span>`;
}

/** JSON for a <pre>, cut at `max` characters with a note that the rest is in results.json. */
export function json(value: unknown, max = 4000): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  const cut =
    text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters in results.json)` : text;
  return esc(cut);
}
