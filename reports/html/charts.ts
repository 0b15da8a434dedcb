import { esc } from './escape.ts';

export interface Bar {
  label: string;
  value: number;
  ci95?: [number, number];
  note?: string;
}

/**
 * A horizontal bar chart as inline SVG: one bar per row, the 95% interval as a whisker, and a
 * text alternative (a <title> per bar and an aria-label for the whole chart).
 */
export function barChart(title: string, unit: string, bars: Bar[], reference?: number): string {
  if (!bars.length) return '';
  const max = Math.max(...bars.map((b) => b.ci95?.[1] ?? b.value), reference ?? 0) * 1.05 || 1;
  const rowH = 22;
  const labelW = 330;
  const plotW = 420;
  const h = bars.length * rowH + 24;
  const x = (v: number) => labelW + (Math.max(0, v) / max) * plotW;
  const rows = bars.map((b, i) => {
    const y = i * rowH + 4;
    const whisker = b.ci95
      ? `<line x1="${x(b.ci95[0])}" x2="${x(b.ci95[1])}" y1="${y + 8}" y2="${y + 8}" class="whisker"/><line ` +
        `x1="${x(b.ci95[0])}" x2="${x(b.ci95[0])}" y1="${y + 3}" y2="${y + 13}" class="whisker"/><line ` +
        `x1="${x(b.ci95[1])}" x2="${x(b.ci95[1])}" y1="${y + 3}" y2="${y + 13}" class="whisker"/>`
      : '';
    const interval = b.ci95 ? ` (95% CI ${b.ci95[0].toFixed(3)}–${b.ci95[1].toFixed(3)})` : '';
    const text = `${b.label}: ${b.value.toFixed(3)} ${unit}${interval}${b.note ? `, ${b.note}` : ''}`;
    return (
      `<g><title>${esc(text)}</title><text x="${labelW - 6}" y="${y + 12}" ` +
      `text-anchor="end">${esc(b.label)}</text><rect x="${labelW}" y="${y + 2}" width="${x(b.value) - labelW}" ` +
      `height="12" class="bar"/>${whisker}<text x="${x(b.ci95?.[1] ?? b.value) + 4}" ` +
      `y="${y + 12}">${esc(b.value.toFixed(2))}</text></g>`
    );
  });
  const ref =
    reference !== undefined
      ? `<line x1="${x(reference)}" x2="${x(reference)}" y1="0" y2="${h - 20}" class="reference"/>`
      : '';
  const summary = bars.map((b) => `${b.label} ${b.value.toFixed(2)} ${unit}`).join('; ');
  return (
    `<figure class="chart"><figcaption>${esc(title)}</figcaption><svg role="img" ` +
    `aria-label="${esc(`${title}: ${summary}`)}" viewBox="0 0 ${labelW + plotW + 60} ${h}" ` +
    `width="100%">${rows.join('')}${ref}<text x="${labelW}" y="${h - 4}" class="axis">0</text><text ` +
    `x="${labelW + plotW}" y="${h - 4}" text-anchor="end" ` +
    `class="axis">${esc(max.toFixed(2))} ${esc(unit)}</text></svg></figure>`
  );
}
