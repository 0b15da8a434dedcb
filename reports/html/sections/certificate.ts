import type { Certificate } from '../../certificate.ts';
import { esc } from '../escape.ts';
import { row, table, verdictSpan } from '../markup.ts';

/** The certificate of a `certify` run: each level's verdict with counts and problems, and the digests. */
export function certificateSection(c: Certificate): string {
  const rows = c.levels.map((l) => {
    const shown = l.verdict === 'pass' ? 'pass' : l.verdict === 'fail' ? 'fail' : 'skip';
    const counts = [l.counts.pass, l.counts.fail, l.counts.error, l.counts.skip].map(String);
    const problems = l.problems.map((p) => esc(p)).join('<br>');
    return row([esc(l.name), l.claimed ? 'claimed' : '—', verdictSpan(shown, l.verdict), ...counts, problems]);
  });
  const perf = Object.entries(c.performance ?? {})
    .map(([k, v]) => `<li>${esc(k)}: ${v.value.toFixed(2)} [${v.ci95[0].toFixed(2)}, ${v.ci95[1].toFixed(2)}]</li>`)
    .join('');
  const binary = c.driver.binary
    ? ` · binary ${esc(c.driver.binary.path)} sha256 <code>${esc(c.driver.binary.sha256)}</code>`
    : '';
  const meta =
    `manifest ${esc(c.driver.manifest.path)} sha256 <code>${esc(c.driver.manifest.sha256)}</code>${binary}` +
    ` · results.json sha256 <code>${esc(c.results.sha256)}</code> · issued ${esc(c.issuedAt)}`;
  const columns = ['level', 'claim', 'verdict', 'pass', 'fail', 'error', 'skip', 'problems'];
  return [
    `<section id="certificate"><h2>Certificate: ${esc(c.driver.id)} ${verdictSpan(c.verdict)}</h2>`,
    `<p class="meta">${meta}</p>`,
    table(columns, rows),
    perf ? `<h3>Performance (informational)</h3><ul>${perf}</ul>` : '',
    '</section>',
  ].join('\n');
}
