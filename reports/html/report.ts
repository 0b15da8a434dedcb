import type { CheckResult } from '../../suites/framework/result.ts';
import type { Certificate } from '../certificate.ts';
import type { Comparison } from '../compare.ts';
import type { ResultsFile } from '../results-file.ts';
import { barChart, type Bar } from './charts.ts';
import { esc } from './escape.ts';
import { SCRIPT } from './script.ts';
import { STYLE } from './style.ts';

const SYMBOL: Record<CheckResult['verdict'], string> = { pass: '✓', fail: '✗', skip: '–', error: '!' };

interface Row {
  from: string;
  to: string;
  protocol: string;
  expected: string;
  observed: string;
  match: boolean;
  seenAs?: string;
}

function json(value: unknown, max = 4000): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return esc(
    text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters in results.json)` : text,
  );
}

/** A driver's overall verdict: any error or unexplained fail fails it; explained fails are deviations. */
export function driverVerdict(results: CheckResult[]): 'conforms' | 'deviates' | 'fails' {
  if (results.some((r) => r.verdict === 'error' || (r.verdict === 'fail' && !r.knownDeviation))) return 'fails';
  return results.some((r) => r.verdict === 'fail') ? 'deviates' : 'conforms';
}

function truthTable(rows: Row[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr class="${r.match ? 'match' : 'mismatch'}"><td>${esc(r.from)}</td><td>${esc(r.to)}</td><td>${esc(r.protocol)}</td><td>${esc(r.expected)}</td><td>${esc(r.observed)}${r.seenAs ? ` <small>(seen as ${esc(r.seenAs)})</small>` : ''}</td><td>${r.match ? '✓' : '✗ mismatch'}</td></tr>`,
    )
    .join('');
  return `<table class="truth"><thead><tr><th>from</th><th>to</th><th>protocol</th><th>expected</th><th>observed</th><th></th></tr></thead><tbody>${body}</tbody></table>`;
}

function tableOf(r: CheckResult): Row[] | undefined {
  const t = (r.observed as { table?: unknown } | null)?.table;
  return Array.isArray(t) ? (t as Row[]) : undefined;
}

function resultDetails(r: CheckResult, i: number): string {
  const table = tableOf(r);
  const evidence = r.evidence
    .map(
      (e) =>
        `<div class="evidence"><div class="cmd"><span class="host">${esc(e.host)}</span> $ ${esc(e.command)} <span class="exit">exit ${e.exitCode}</span></div>${e.output ? `<pre>${esc(e.output)}</pre>` : ''}</div>`,
    )
    .join('');
  return `<details class="result ${r.verdict}" id="r-${i}" data-driver="${esc(r.driver)}" data-check="${esc(r.check)}" data-verdict="${r.verdict}">
<summary><span class="v ${r.verdict}">${SYMBOL[r.verdict]} ${r.verdict}</span> <b>${esc(r.driver)}</b> ${esc(r.check)} <small>${(r.durationMs / 1000).toFixed(1)}s</small> — ${esc(r.reason.slice(0, 200))}</summary>
${r.knownDeviation ? `<p class="deviation"><b>Known deviation:</b> ${esc(r.knownDeviation)}</p>` : ''}
<p>${esc(r.reason)}</p>
${table ? truthTable(table) : ''}
<div class="eo"><div><h4>expected</h4><pre>${json(r.expected)}</pre></div><div><h4>observed</h4><pre>${json(table ? { ...(r.observed as object), table: `(${table.length} rows above)` } : r.observed)}</pre></div></div>
${r.metrics ? `<h4>metrics</h4><pre>${json(r.metrics, 2000)}</pre>` : ''}
${evidence ? `<h4>evidence (${r.evidence.length})</h4>${evidence}` : ''}
</details>`;
}

function matrix(file: ResultsFile): string {
  const drivers = [...new Set(file.results.map((r) => r.driver))];
  const checks = [...new Set(file.results.map((r) => r.check))];
  const index = new Map(file.results.map((r, i) => [`${r.driver} ${r.check}`, i]));
  const head = checks.map((c) => `<th class="check" data-check="${esc(c)}"><span>${esc(c)}</span></th>`).join('');
  const rows = drivers.map((d) => {
    const cells = checks.map((c) => {
      const i = index.get(`${d} ${c}`);
      if (i === undefined) return '<td class="none"></td>';
      const r = file.results[i]!;
      return `<td class="cell ${r.verdict}${r.knownDeviation ? ' known' : ''}" data-check="${esc(c)}" data-verdict="${r.verdict}" title="${esc(`${d} ${c}: ${r.verdict}: ${r.reason}`)}"><a href="#r-${i}" data-open="r-${i}">${SYMBOL[r.verdict]}</a></td>`;
    });
    return `<tr data-driver="${esc(d)}"><th>${esc(d)}</th>${cells.join('')}</tr>`;
  });
  return `<div class="scroll"><table id="matrix"><thead><tr><th>driver \\ check</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function summary(file: ResultsFile): string {
  const drivers = [...new Set(file.results.map((r) => r.driver))];
  const rows = drivers.map((d) => {
    const mine = file.results.filter((r) => r.driver === d);
    const c = (v: string) => mine.filter((r) => r.verdict === v).length;
    const verdict = driverVerdict(mine);
    return `<tr data-driver="${esc(d)}"><th>${esc(d)}</th><td class="verdict ${verdict}">${verdict}</td><td class="n pass">${c('pass')}</td><td class="n fail">${c('fail')}</td><td class="n skip">${c('skip')}</td><td class="n error">${c('error')}</td></tr>`;
  });
  const s = file.summary;
  return `<table id="summary"><thead><tr><th>driver</th><th>verdict</th><th>pass</th><th>fail</th><th>skip</th><th>error</th></tr></thead><tbody>${rows.join('')}</tbody><tfoot><tr><th>total</th><td></td><td class="n" id="total-pass">${s.pass}</td><td class="n" id="total-fail">${s.fail}</td><td class="n" id="total-skip">${s.skip}</td><td class="n" id="total-error">${s.error}</td></tr></tfoot></table>`;
}

function vniAndMtu(file: ResultsFile): string {
  const vni = file.results.filter((r) => r.check.startsWith('vni/') && r.verdict !== 'skip');
  const mtu = file.results.filter((r) => r.check.startsWith('mtu/') && r.verdict !== 'skip');
  if (!vni.length && !mtu.length) return '';
  const vniRows = vni
    .map((r) => {
      const o = (r.observed ?? {}) as { vnis?: number[]; perHost?: unknown };
      return `<tr><td>${esc(r.driver)}</td><td>${esc(r.check)}</td><td class="v ${r.verdict}">${r.verdict}</td><td>${esc((o.vnis ?? []).join(', '))}</td><td><code>${esc(o.perHost ? JSON.stringify(o.perHost) : '')}</code></td></tr>`;
    })
    .join('');
  const mtuRows = mtu
    .map((r) => {
      const o = (r.observed ?? {}) as { mtu?: number; interface?: string; crossHost?: boolean };
      return `<tr><td>${esc(r.driver)}</td><td>${esc(r.check)}</td><td class="v ${r.verdict}">${r.verdict}</td><td>${esc(o.mtu ?? '')}</td><td>${esc(r.reason)}</td></tr>`;
    })
    .join('');
  return `<section id="vni-mtu"><h2>VNIs and MTU</h2>${vniRows ? `<table><thead><tr><th>driver</th><th>check</th><th>verdict</th><th>VNIs</th><th>per host</th></tr></thead><tbody>${vniRows}</tbody></table>` : ''}${mtuRows ? `<table><thead><tr><th>driver</th><th>check</th><th>verdict</th><th>MTU</th><th>result</th></tr></thead><tbody>${mtuRows}</tbody></table>` : ''}</section>`;
}

function performance(file: ResultsFile): string {
  const figure = (prefix: string) =>
    file.results
      .filter(
        (r) => r.check.startsWith(prefix) && r.verdict === 'pass' && r.metrics && typeof r.metrics.median === 'number',
      )
      .map<Bar>((r) => ({
        label: `${r.driver} ${r.check.slice(prefix.length + 1)}`,
        value: r.metrics!.median as number,
        ci95: r.metrics!.ci95 as [number, number],
      }));
  const charts = [
    barChart('TCP, single stream (median, 95% CI)', 'Gbit/s', figure('throughput/tcp-single')),
    barChart('TCP, 4 streams (median, 95% CI)', 'Gbit/s', figure('throughput/tcp-parallel')),
    barChart('UDP at a fixed rate, received (median, 95% CI)', 'Gbit/s', figure('throughput/udp')),
    barChart('Round-trip time p50 (median over repeats, 95% CI)', 'ms', figure('latency/rtt')),
  ].filter(Boolean);
  const ratios = file.results.find((r) => r.check === 'throughput/ratios')?.metrics?.ratios as
    Record<string, { value: number; ci95: [number, number] }> | undefined;
  if (ratios && Object.keys(ratios).length) {
    charts.unshift(
      barChart(
        'Ratios (TCP single stream; 1.0 = equal)',
        '×',
        Object.entries(ratios).map(([k, v]) => ({ label: k, value: v.value, ci95: v.ci95 })),
        1,
      ),
    );
  }
  if (!charts.length) return '';
  return `<section id="performance"><h2>Performance</h2>${charts.join('')}</section>`;
}

function comparisonSection(c: Comparison): string {
  const list = (title: string, items: string[]) =>
    `<h3>${esc(title)} (${items.length})</h3>${items.length ? `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : '<p>none</p>'}`;
  return `<section id="comparison"><h2>Compared with run ${esc(c.baseline)}</h2>${list(
    'new failures',
    c.newFailures.map((x) => `${x.driver} ${x.check}: ${x.before} → ${x.after}: ${x.reason}`),
  )}${list(
    'fixed',
    c.fixes.map((x) => `${x.driver} ${x.check}: ${x.before} → ${x.after}`),
  )}${list(
    'performance changes beyond their intervals',
    c.performance.map(
      (p) =>
        `${p.name}: ${p.before.toFixed(3)} → ${p.after.toFixed(3)} ${p.unit} (${p.change > 0 ? '+' : ''}${(p.change * 100).toFixed(0)}%)`,
    ),
  )}</section>`;
}

function certificateSection(c: Certificate): string {
  const rows = c.levels
    .map(
      (l) =>
        `<tr><td>${esc(l.name)}</td><td>${l.claimed ? 'claimed' : '—'}</td><td><span class="v ${l.verdict === 'pass' ? 'pass' : l.verdict === 'fail' ? 'fail' : 'skip'}">${esc(l.verdict)}</span></td><td>${l.counts.pass}</td><td>${l.counts.fail}</td><td>${l.counts.error}</td><td>${l.counts.skip}</td><td>${l.problems.map((p) => esc(p)).join('<br>')}</td></tr>`,
    )
    .join('');
  const perf = Object.entries(c.performance ?? {})
    .map(([k, v]) => `<li>${esc(k)}: ${v.value.toFixed(2)} [${v.ci95[0].toFixed(2)}, ${v.ci95[1].toFixed(2)}]</li>`)
    .join('');
  return `<section id="certificate"><h2>Certificate: ${esc(c.driver.id)} <span class="v ${c.verdict}">${c.verdict}</span></h2>
<p class="meta">manifest ${esc(c.driver.manifest.path)} sha256 <code>${esc(c.driver.manifest.sha256)}</code>${c.driver.binary ? ` · binary ${esc(c.driver.binary.path)} sha256 <code>${esc(c.driver.binary.sha256)}</code>` : ''} · results.json sha256 <code>${esc(c.results.sha256)}</code> · issued ${esc(c.issuedAt)}</p>
<table><thead><tr><th>level</th><th>claim</th><th>verdict</th><th>pass</th><th>fail</th><th>error</th><th>skip</th><th>problems</th></tr></thead><tbody>${rows}</tbody></table>
${perf ? `<h3>Performance (informational)</h3><ul>${perf}</ul>` : ''}</section>`;
}

/** report.html: one self-contained file (inline CSS, JS and SVG; no network request). */
export function renderReport(file: ResultsFile, comparison?: Comparison, certificate?: Certificate): string {
  const run = file.run;
  const truth = file.results.map((r, i) => ({ r, i, t: tableOf(r) })).filter((x) => x.t && x.r.verdict !== 'skip');
  const env = `kernel ${esc(run.environment.kernel)} · ${run.environment.engines.map((e) => `${esc(e.host)}: Docker ${esc(e.version)}`).join(' · ')} · lab ${esc(run.lab.kind)} (${run.lab.hosts.length} host${run.lab.hosts.length > 1 ? 's' : ''})`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>cnm-harness report ${esc(run.id)}</title><style>${STYLE}</style></head>
<body>
<header><h1>cnm-harness report <code>${esc(run.id)}</code></h1>
<p class="meta">${esc(run.startedAt)} · ${(run.durationMs / 1000).toFixed(1)} s · harness ${esc(run.harnessVersion)}${run.command ? ` · <code>cnm-harness ${esc(run.command)}</code>` : ''}</p>
<p class="meta">${env}</p>
<p class="meta">leak audit: ${run.audit ? (run.audit.clean ? '<span class="v pass">clean</span>' : `<span class="v fail">${run.audit.leaks.length} leak(s)</span>`) : 'not run'}${run.interrupted ? ' · <span class="v error">interrupted</span>' : ''}</p></header>
<main>
<section id="overview"><h2>Summary</h2>${summary(file)}</section>
${certificate ? certificateSection(certificate) : ''}
${comparison ? comparisonSection(comparison) : ''}
<section id="filters"><label>Filter <input id="filter" type="search" placeholder="driver or check, e.g. overlay or nat/" autocomplete="off"></label>
<label>Verdict <select id="verdict-filter"><option value="">all</option><option>pass</option><option>fail</option><option>skip</option><option>error</option></select></label>
<span id="shown"></span></section>
<section id="matrix-section"><h2>Driver × check</h2>${matrix(file)}</section>
${truth.length ? `<section id="truth-tables"><h2>Truth tables</h2>${truth.map((x) => `<h3><a href="#r-${x.i}" data-open="r-${x.i}">${esc(x.r.driver)} ${esc(x.r.check)}</a> <span class="v ${x.r.verdict}">${x.r.verdict}</span></h3>${truthTable(x.t!)}`).join('')}</section>` : ''}
${vniAndMtu(file)}
${performance(file)}
<section id="results"><h2>Results and evidence</h2>${file.results.map(resultDetails).join('\n')}</section>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
