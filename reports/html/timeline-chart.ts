import type { Timeline } from '../../suites/resilience/probe-loop.ts';
import { esc } from './escape.ts';

/** Where a result keeps its timelines (suites/resilience/): the fault's, and the live-restore one. */
export const TIMELINE_METRICS = { timeline: 'probes through the fault', liveRestoreTimeline: 'with live-restore' };

/** Whether a metric value is a probe loop's timeline (results.json is read back untyped). */
export function isTimeline(value: unknown): value is Timeline {
  const t = value as Partial<Timeline> | undefined;
  return Array.isArray(t?.samples) && Array.isArray(t?.marks) && typeof t?.durationMs === 'number';
}

/**
 * A probe loop as inline SVG: one tick per probe (answered, lost, or not sent because the sandbox
 * was down), the fault's window shaded and labelled, seconds along the bottom, and a text
 * alternative that says how long the gap was.
 */
export function timelineChart(title: string, t: Timeline): string {
  const plotW = 720;
  const left = 10;
  const h = 74;
  const span = Math.max(t.durationMs, 1);
  const x = (ms: number) => left + (ms / span) * plotW;
  const faults = t.marks.map((m) => {
    const x0 = x(m.startMs);
    const w = Math.max(2, x(m.endMs ?? t.durationMs) - x0);
    return (
      `<g class="fault"><title>${esc(`${m.label}: ${m.startMs}–${m.endMs ?? t.durationMs} ms`)}</title>` +
      `<rect x="${x0.toFixed(1)}" y="14" width="${w.toFixed(1)}" height="34"/>` +
      `<text x="${x0.toFixed(1)}" y="10">${esc(m.label)}</text></g>`
    );
  });
  const ticks = t.samples.map(
    ([at, outcome]) =>
      `<rect class="probe ${outcome}" x="${x(at).toFixed(1)}" y="${outcome === 'ok' ? 22 : 30}" width="2" ` +
      `height="${outcome === 'ok' ? 18 : 10}"><title>${at} ms: ${outcome}</title></rect>`,
  );
  const seconds = Math.floor(span / 1000);
  const step = Math.max(1, Math.ceil(seconds / 10));
  const axis = Array.from({ length: Math.floor(seconds / step) + 1 }, (_, i) => i * step).map(
    (s) => `<text class="axis" x="${x(s * 1000).toFixed(1)}" y="${h - 8}">${s} s</text>`,
  );
  const label =
    `${title}: ${t.answered} of ${t.sent} probes from ${t.from} to ${t.to} answered over ` +
    `${(t.durationMs / 1000).toFixed(1)} s; longest gap ${t.longestGapMs} ms` +
    (t.marks.length ? `; ${t.marks.map((m) => `${m.label} ${m.startMs}–${m.endMs} ms`).join('; ')}` : '');
  return (
    `<figure class="chart timeline"><figcaption>${esc(title)} — longest gap ${t.longestGapMs} ms ` +
    `(${t.answered}/${t.sent} answered)</figcaption><svg role="img" class="timeline" aria-label="${esc(label)}" ` +
    `viewBox="0 0 ${plotW + left + 30} ${h}" width="100%">${faults.join('')}${ticks.join('')}` +
    `${axis.join('')}</svg></figure>`
  );
}
