import type { CheckResult } from '../../../suites/framework/result.ts';
import { esc } from '../escape.ts';
import { row, table } from '../markup.ts';

/** A truth-table row as results.json keeps it. */
export interface TruthRow {
  from: string;
  to: string;
  protocol: string;
  expected: string;
  observed: string;
  match: boolean;
  seenAs?: string;
}

/** The truth table a check put in its observed value, if it has one. */
export function tableOf(r: CheckResult): TruthRow[] | undefined {
  const t = (r.observed as { table?: unknown } | null)?.table;
  return Array.isArray(t) ? (t as TruthRow[]) : undefined;
}

export function truthTable(rows: TruthRow[]): string {
  const body = rows.map((r) => {
    const observed = `${esc(r.observed)}${r.seenAs ? ` <small>(seen as ${esc(r.seenAs)})</small>` : ''}`;
    const cells = [esc(r.from), esc(r.to), esc(r.protocol), esc(r.expected), observed, r.match ? '✓' : '✗ mismatch'];
    return row(cells, `class="${r.match ? 'match' : 'mismatch'}"`);
  });
  return table(['from', 'to', 'protocol', 'expected', 'observed', ''], body, 'class="truth"');
}
