import type { Comparison } from '../../compare.ts';
import { esc } from '../escape.ts';

function list(title: string, items: string[]): string {
  const body = items.length ? `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : '<p>none</p>';
  return `<h3>${esc(title)} (${items.length})</h3>${body}`;
}

/** What changed against a baseline run: new failures, fixes, performance beyond its intervals. */
export function comparisonSection(c: Comparison): string {
  const performance = c.performance.map((p) => {
    const change = `${p.change > 0 ? '+' : ''}${(p.change * 100).toFixed(0)}%`;
    return `${p.name}: ${p.before.toFixed(3)} → ${p.after.toFixed(3)} ${p.unit} (${change})`;
  });
  return [
    `<section id="comparison"><h2>Compared with run ${esc(c.baseline)}</h2>`,
    list(
      'new failures',
      c.newFailures.map((x) => `${x.driver} ${x.check}: ${x.before} → ${x.after}: ${x.reason}`),
    ),
    list(
      'fixed',
      c.fixes.map((x) => `${x.driver} ${x.check}: ${x.before} → ${x.after}`),
    ),
    list('performance changes beyond their intervals', performance),
    '</section>',
  ].join('');
}
