/** Small statistics for benchmarks: pure functions. */

/** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function t95(df: number): number {
  return df >= 1 && df <= 30 ? T95[df - 1]! : 1.96;
}

export function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export interface Figure {
  n: number;
  median: number;
  mean: number;
  min: number;
  max: number;
  /** 95% confidence interval of the mean (Student's t); a single sample has none: [x, x]. */
  ci95: [number, number];
}

/** `nonNegative`: the quantity cannot be below zero (throughput, latency), so neither can its interval. */
export function describe(xs: number[], nonNegative = true): Figure {
  if (!xs.length) throw new Error('no samples');
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? (t95(n - 1) * sd) / Math.sqrt(n) : 0;
  const lo = nonNegative ? Math.max(0, mean - half) : mean - half;
  return { n, median: quantile(xs, 0.5), mean, min: Math.min(...xs), max: Math.max(...xs), ci95: [lo, mean + half] };
}

export interface Ratio {
  value: number;
  ci95: [number, number];
  n: number;
}

/**
 * The ratio of two cases measured side by side: the mean of the per-repeat ratios a[i]/b[i]
 * (interleaved repeats pair naturally), with its t interval.
 */
export function pairedRatio(a: number[], b: number[]): Ratio {
  const n = Math.min(a.length, b.length);
  const ratios = Array.from({ length: n }, (_, i) => a[i]! / b[i]!).filter((r) => Number.isFinite(r));
  const f = describe(ratios);
  return { value: f.mean, ci95: f.ci95, n: f.n };
}
