import type { ResultsFile } from '../../results-file.ts';
import { barChart, type Bar } from '../charts.ts';

/** The bench's figures as bar charts with their intervals, ratios first. */
export function performance(file: ResultsFile): string {
  const figure = (prefix: string) =>
    file.results
      .filter((r) => r.check.startsWith(prefix) && r.verdict === 'pass' && typeof r.metrics?.median === 'number')
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
    const bars = Object.entries(ratios).map(([k, v]) => ({ label: k, value: v.value, ci95: v.ci95 }));
    charts.unshift(barChart('Ratios (TCP single stream; 1.0 = equal)', '×', bars, 1));
  }
  if (!charts.length) return '';
  return `<section id="performance"><h2>Performance</h2>${charts.join('')}</section>`;
}
