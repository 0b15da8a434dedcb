import type { ResultsFile } from '../../results-file.ts';
import { esc } from '../escape.ts';
import { verdictSpan } from '../markup.ts';
import { isTimeline, TIMELINE_METRICS, timelineChart } from '../timeline-chart.ts';

/** Every resilience result's probe loops, as timelines with the fault marked, linked to the result. */
export function timelines(file: ResultsFile): string {
  const charts = file.results.flatMap((r, i) =>
    Object.entries(TIMELINE_METRICS).flatMap(([key, what]) => {
      const t = r.metrics?.[key];
      if (!isTimeline(t)) return [];
      const link = `<a href="#r-${i}" data-open="r-${i}">${esc(r.driver)} ${esc(r.check)}</a>`;
      return [`<h3>${link} ${verdictSpan(r.verdict)}</h3>${timelineChart(what, t)}`];
    }),
  );
  if (!charts.length) return '';
  return (
    `<section id="timelines"><h2>Timelines</h2><p class="meta">One probe every 150 ms through each fault: ` +
    `green answered, red lost, grey not sent (the sandbox itself was down); the shaded band is the fault.</p>` +
    `${charts.join('')}</section>`
  );
}
