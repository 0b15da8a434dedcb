import { shownAs, type CheckResult, type Shown } from '../../../suites/framework/result.ts';
import { esc } from '../escape.ts';
import { json } from '../markup.ts';
import { isTimeline, TIMELINE_METRICS, timelineChart } from '../timeline-chart.ts';
import { tableOf, truthTable } from './truth-table.ts';

export const SYMBOL: Record<Shown, string> = {
  pass: '✓',
  fail: '✗',
  error: '!',
  'not-run': '–',
  'not-applicable': '·',
};

/** How a result reads in a line: its verdict, and for a skip which kind. */
export function verdictText(r: CheckResult): string {
  return r.verdict === 'skip' ? `skip (${shownAs(r).replace('-', ' ')})` : r.verdict;
}

function evidenceOf(r: CheckResult): string {
  return r.evidence
    .map((e) => {
      const host = `<span class="host">${esc(e.host)}</span>`;
      const cmd = `${host} $ ${esc(e.command)} <span class="exit">exit ${e.exitCode}</span>`;
      const output = e.output ? `<pre>${esc(e.output)}</pre>` : '';
      return `<div class="evidence"><div class="cmd">${cmd}</div>${output}</div>`;
    })
    .join('');
}

/** A result's probe-loop timelines, drawn (the figures below leave their samples out). */
function timelinesOf(r: CheckResult): string {
  return Object.entries(TIMELINE_METRICS)
    .flatMap(([key, what]) => (isTimeline(r.metrics?.[key]) ? [timelineChart(what, r.metrics[key])] : []))
    .join('');
}

function figuresOf(metrics: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(metrics).map(([k, v]) => [
      k,
      isTimeline(v) ? `(timeline: ${v.samples.length} probes, drawn above)` : v,
    ]),
  );
}

/** One result, folded: its verdict line, then reason, truth table, expected/observed, metrics and evidence. */
export function resultDetails(r: CheckResult, i: number): string {
  const table = tableOf(r);
  const evidence = evidenceOf(r);
  const observed = table ? { ...(r.observed as object), table: `(${table.length} rows above)` } : r.observed;
  const data = `data-driver="${esc(r.driver)}" data-check="${esc(r.check)}" data-verdict="${r.verdict}"`;
  const verdict = `<span class="v ${r.verdict}">${SYMBOL[shownAs(r)]} ${verdictText(r)}</span>`;
  const took = `<small>${(r.durationMs / 1000).toFixed(1)}s</small>`;
  return [
    `<details class="result ${r.verdict}" id="r-${i}" ${data}>`,
    `<summary>${verdict} <b>${esc(r.driver)}</b> ${esc(r.check)} ${took} — ${esc(r.reason.slice(0, 200))}</summary>`,
    r.knownDeviation ? `<p class="deviation"><b>Known deviation:</b> ${esc(r.knownDeviation)}</p>` : '',
    `<p>${esc(r.reason)}</p>`,
    r.repeat
      ? `<p class="meta">repeated ${r.repeat.runs} times: ${esc(r.repeat.verdicts.join(', '))}` +
        `${r.repeat.flaky ? ` — <b>flaky</b>, passed ${r.repeat.passes} of ${r.repeat.runs}` : ''}</p>`
      : '',
    table ? truthTable(table) : '',
    `<div class="eo"><div><h4>expected</h4><pre>${json(r.expected)}</pre></div>` +
      `<div><h4>observed</h4><pre>${json(observed)}</pre></div></div>`,
    r.metrics ? `<h4>metrics</h4>${timelinesOf(r)}<pre>${json(figuresOf(r.metrics), 2000)}</pre>` : '',
    evidence ? `<h4>evidence (${r.evidence.length})</h4>${evidence}` : '',
    '</details>',
  ].join('\n');
}
