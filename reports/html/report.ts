import type { Certificate } from '../certificate.ts';
import type { Comparison } from '../compare.ts';
import type { ResultsFile } from '../results-file.ts';
import { esc } from './escape.ts';
import { verdictSpan } from './markup.ts';
import { SCRIPT } from './script.ts';
import { certificateSection } from './sections/certificate.ts';
import { comparisonSection } from './sections/comparison.ts';
import { matrix } from './sections/matrix.ts';
import { performance } from './sections/performance.ts';
import { resultDetails } from './sections/result-details.ts';
import { summary } from './sections/summary.ts';
import { timelines } from './sections/timelines.ts';
import { tableOf, truthTable } from './sections/truth-table.ts';
import { vniAndMtu } from './sections/vni-mtu.ts';
import { STYLE } from './style.ts';

export { driverVerdict } from './sections/summary.ts';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

function header(file: ResultsFile): string {
  const run = file.run;
  const engines = run.environment.engines.map((e) => `${esc(e.host)}: Docker ${esc(e.version)}`).join(' · ');
  const hosts = `${run.lab.hosts.length} host${run.lab.hosts.length > 1 ? 's' : ''}`;
  const command = run.command ? ` · <code>cnm-harness ${esc(run.command)}</code>` : '';
  const foreign = run.audit?.foreign?.length ? ` (${run.audit.foreign.length} change(s) by others, listed)` : '';
  const audit = !run.audit
    ? 'not run'
    : run.audit.clean
      ? `${verdictSpan('pass', 'clean')}${foreign}`
      : `${verdictSpan('fail', `${run.audit.leaks.length} leak(s)`)}${foreign}`;
  return [
    `<header><h1>cnm-harness report <code>${esc(run.id)}</code></h1>`,
    `<p class="meta">${esc(run.startedAt)} · ${(run.durationMs / 1000).toFixed(1)} s · ` +
      `harness ${esc(run.harnessVersion)}${command}</p>`,
    `<p class="meta">kernel ${esc(run.environment.kernel)} · ${engines} · lab ${esc(run.lab.kind)} (${hosts})</p>`,
    `<p class="meta">leak audit: ${audit}${run.interrupted ? ` · ${verdictSpan('error', 'interrupted')}` : ''}</p>`,
    '</header>',
  ].join('\n');
}

function filters(): string {
  const options = ['pass', 'fail', 'skip', 'error'].map((v) => `<option>${v}</option>`).join('');
  return [
    '<section id="filters">',
    '<label>Filter <input id="filter" type="search" placeholder="driver or check, e.g. overlay or nat/" ' +
      'autocomplete="off"></label>',
    `<label>Verdict <select id="verdict-filter"><option value="">all</option>${options}</select></label>`,
    '<span id="shown"></span></section>',
  ].join('\n');
}

function truthTables(file: ResultsFile): string {
  const truth = file.results.map((r, i) => ({ r, i, t: tableOf(r) })).filter((x) => x.t && x.r.verdict !== 'skip');
  if (!truth.length) return '';
  const tables = truth.map((x) => {
    const link = `<a href="#r-${x.i}" data-open="r-${x.i}">${esc(x.r.driver)} ${esc(x.r.check)}</a>`;
    return `<h3>${link} ${verdictSpan(x.r.verdict)}</h3>${truthTable(x.t!)}`;
  });
  return `<section id="truth-tables"><h2>Truth tables</h2>${tables.join('')}</section>`;
}

/** report.html: one self-contained file (inline CSS, JS and SVG; no network request). */
export function renderReport(file: ResultsFile, comparison?: Comparison, certificate?: Certificate): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>cnm-harness report ${esc(file.run.id)}</title><style>${STYLE}</style></head>
<body>
${header(file)}
<main>
<section id="overview"><h2>Summary</h2>${summary(file)}</section>
${certificate ? certificateSection(certificate) : ''}
${comparison ? comparisonSection(comparison) : ''}
${filters()}
<section id="matrix-section"><h2>Driver × check</h2>${matrix(file)}</section>
${truthTables(file)}
${vniAndMtu(file)}
${timelines(file)}
${performance(file)}
<section id="results"><h2>Results and evidence</h2>${file.results.map(resultDetails).join('\n')}</section>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
