import type { CheckResult } from '../suites/framework/result.ts';
import type { ResultsFile } from './results-file.ts';

export interface VerdictChange {
  driver: string;
  check: string;
  before: string;
  after: string;
  reason: string;
}

export interface PerfChange {
  name: string;
  unit: string;
  before: number;
  after: number;
  /** Relative change of the median, (after − before) / before. */
  change: number;
}

export interface Comparison {
  baseline: string;
  current: string;
  newFailures: VerdictChange[];
  fixes: VerdictChange[];
  performance: PerfChange[];
}

const bad = (v: string | undefined) => v === 'fail' || v === 'error';

interface Figure {
  median?: number;
  value?: number;
  ci95?: [number, number];
  unit?: string;
}

function figures(file: ResultsFile): Map<string, Figure> {
  const out = new Map<string, Figure>();
  for (const r of file.results) {
    const m = r.metrics as (Figure & { ratios?: Record<string, Figure> }) | undefined;
    if (!m) continue;
    if (typeof m.median === 'number' && m.ci95) out.set(`${r.driver} ${r.check}`, m);
    for (const [k, v] of Object.entries(m.ratios ?? {})) out.set(`ratio ${k}`, { ...v, unit: '×' });
  }
  return out;
}

/**
 * What changed from `baseline` to `current`: checks that newly fail or error, checks fixed, and
 * figures whose 95% intervals no longer overlap (a change larger than the noise measured).
 */
export function compareRuns(baseline: ResultsFile, current: ResultsFile): Comparison {
  const before = new Map<string, CheckResult>(baseline.results.map((r) => [`${r.driver} ${r.check}`, r]));
  const newFailures: VerdictChange[] = [];
  const fixes: VerdictChange[] = [];
  for (const r of current.results) {
    const b = before.get(`${r.driver} ${r.check}`);
    const wasBad = bad(b?.verdict) && !b?.knownDeviation;
    const isBad = bad(r.verdict) && !r.knownDeviation;
    if (isBad && !wasBad)
      newFailures.push({
        driver: r.driver,
        check: r.check,
        before: b?.verdict ?? 'absent',
        after: r.verdict,
        reason: r.reason,
      });
    if (!bad(r.verdict) && bad(b?.verdict) && r.verdict === 'pass')
      fixes.push({ driver: r.driver, check: r.check, before: b.verdict, after: r.verdict, reason: r.reason });
  }
  const fb = figures(baseline);
  const performance: PerfChange[] = [];
  for (const [name, a] of figures(current)) {
    const b = fb.get(name);
    const va = a.median ?? a.value;
    const vb = b?.median ?? b?.value;
    if (!b?.ci95 || !a.ci95 || va === undefined || vb === undefined || vb === 0) continue;
    const disjoint = a.ci95[1] < b.ci95[0] || a.ci95[0] > b.ci95[1];
    if (disjoint) performance.push({ name, unit: a.unit ?? '', before: vb, after: va, change: (va - vb) / vb });
  }
  return { baseline: baseline.run.id, current: current.run.id, newFailures, fixes, performance };
}

export function describeComparison(c: Comparison): string {
  const lines = [`compared ${c.current} with baseline ${c.baseline}:`];
  lines.push(
    `new failures: ${c.newFailures.length}`,
    ...c.newFailures.map((x) => `  ✗ ${x.driver} ${x.check}: ${x.before} → ${x.after}: ${x.reason.split('\n')[0]}`),
  );
  lines.push(`fixed: ${c.fixes.length}`, ...c.fixes.map((x) => `  ✓ ${x.driver} ${x.check}: ${x.before} → ${x.after}`));
  lines.push(
    `performance changes beyond their intervals: ${c.performance.length}`,
    ...c.performance.map(
      (p) =>
        `  ${p.change > 0 ? '↑' : '↓'} ${p.name}: ${p.before.toFixed(3)} → ${p.after.toFixed(3)} ${p.unit} ` +
        `(${(p.change * 100).toFixed(0)}%)`,
    ),
  );
  return lines.join('\n');
}
