import type { CheckResult } from '../suites/framework/result.ts';

interface FigureMetrics {
  unit: string;
  median: number;
  ci95: [number, number];
  n: number;
  extras?: Record<string, { median: number }>;
}

const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));

/** The bench's figures as a table (median and 95% interval per subject and measure), then the ratios. */
export function benchTable(results: CheckResult[]): string {
  const rows = results
    .filter((r) => r.check.startsWith('throughput/') || r.check.startsWith('latency/'))
    .filter((r) => r.check !== 'throughput/ratios');
  const lines = [
    `${'subject'.padEnd(20)} ${'measure'.padEnd(34)} ${'median'.padStart(9)}  95% CI                extra`,
  ];
  for (const r of rows) {
    const m = r.metrics as unknown as FigureMetrics | undefined;
    if (r.verdict !== 'pass' || !m) {
      lines.push(`${r.driver.padEnd(20)} ${r.check.padEnd(34)} ${'error'.padStart(9)}  ${r.reason.slice(0, 80)}`);
      continue;
    }
    const extra = Object.entries(m.extras ?? {})
      .filter(([k]) => k !== 'samples')
      .map(([k, v]) => `${k} ${f(v.median)}`)
      .join(', ');
    lines.push(
      `${r.driver.padEnd(20)} ${r.check.padEnd(34)} ${f(m.median).padStart(9)}  ` +
        `[${f(m.ci95[0])}, ${f(m.ci95[1])}] ${m.unit.padEnd(6)} ${extra}`,
    );
  }
  const ratios = results.find((r) => r.check === 'throughput/ratios')?.metrics?.ratios as
    Record<string, { value: number; ci95: [number, number] }> | undefined;
  if (ratios && Object.keys(ratios).length) {
    lines.push('', 'ratios (TCP single stream; the median of per-repeat ratios, 95% interval):');
    for (const [k, v] of Object.entries(ratios))
      lines.push(`  ${k.padEnd(44)} ${v.value.toFixed(2)}  [${v.ci95[0].toFixed(2)}, ${v.ci95[1].toFixed(2)}]`);
  }
  return lines.join('\n');
}
