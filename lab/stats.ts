/** Small statistics for benchmarks: pure functions. */

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
  /**
   * Confidence interval of the median, distribution-free: the order statistics x(k), x(n−k+1) for
   * the largest k whose binomial coverage is at least 95%. It holds however the samples are
   * distributed — these are not normal: a hypervisor's stolen time drags the odd repeat far below
   * the rest, and one such repeat widens a t interval of the mean by half again. Below 6 samples
   * no k reaches 95%: the interval is [min, max] and `confidence` says how much it covers.
   */
  ci95: [number, number];
  /** The coverage the interval actually has (≥ 0.95 from 6 samples on). */
  confidence: number;
}

function binomialHalf(n: number, i: number): number {
  // C(n, i) / 2^n without overflow
  let p = 1;
  for (let j = 1; j <= i; j++) p *= (n - i + j) / j;
  return p / 2 ** n;
}

/** The 1-based rank k of the lower bound of the median's 95% interval, and the coverage it gives. */
export function medianRank(n: number): { k: number; confidence: number } {
  let best = { k: 1, confidence: 0 };
  for (let k = 1; k <= Math.floor((n + 1) / 2); k++) {
    let cover = 0;
    for (let i = k; i <= n - k; i++) cover += binomialHalf(n, i);
    if (k === 1 || cover >= 0.95) best = { k, confidence: cover };
    if (cover < 0.95) break;
  }
  return best;
}

export function figureOf(xs: number[]): Figure {
  if (!xs.length) throw new Error('no samples');
  const n = xs.length;
  const s = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const { k, confidence } = n > 1 ? medianRank(n) : { k: 1, confidence: 0 };
  return { n, median: quantile(s, 0.5), mean, min: s[0]!, max: s[n - 1]!, ci95: [s[k - 1]!, s[n - k]!], confidence };
}

/** Whether the interval lies within ±`tolerance` (a fraction) of the median. */
export function withinOfMedian(f: Pick<Figure, 'median' | 'ci95'>, tolerance: number): boolean {
  return f.ci95[0] >= f.median * (1 - tolerance) && f.ci95[1] <= f.median * (1 + tolerance);
}

export interface Ratio {
  value: number;
  ci95: [number, number];
  n: number;
}

/**
 * The ratio of two cases measured side by side: the median of the per-repeat ratios a[i]/b[i]
 * (interleaved repeats pair naturally: noise that falls on both cancels), with the same
 * distribution-free interval as every figure.
 */
export function pairedRatio(a: number[], b: number[]): Ratio {
  const n = Math.min(a.length, b.length);
  const ratios = Array.from({ length: n }, (_, i) => a[i]! / b[i]!).filter((r) => Number.isFinite(r));
  const f = figureOf(ratios);
  return { value: f.median, ci95: f.ci95, n: f.n };
}
