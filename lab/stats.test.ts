import { describe, expect, it } from 'vitest';
import { parseIperf } from './iperf3.ts';
import { figureOf, medianRank, pairedRatio, quantile, withinOfMedian } from './stats.ts';

describe('stats', () => {
  it('describes samples: median, extremes, and a distribution-free interval of the median', () => {
    const f = figureOf([10, 12, 11, 13, 9]);
    expect(f).toMatchObject({ n: 5, median: 11, mean: 11, min: 9, max: 13 });
    // below 6 samples no pair of order statistics covers 95%: [min, max], and the coverage it has (30/32)
    expect(f.ci95).toEqual([9, 13]);
    expect(f.confidence).toBeCloseTo(0.9375, 6);
    expect(figureOf([7]).ci95).toEqual([7, 7]);
    expect(() => figureOf([])).toThrow(/no samples/);
  });
  it('takes the order statistics whose binomial coverage reaches 95%', () => {
    // the standard table: n=6..8 → x(1), n=9..11 → x(2), n=12..14 → x(3), n=17 → x(5), n=30 → x(10)
    expect([6, 8, 9, 11, 12, 14, 17, 20, 30].map((n) => medianRank(n).k)).toEqual([1, 1, 2, 2, 3, 3, 5, 6, 10]);
    expect(medianRank(10).confidence).toBeCloseTo(0.9785, 4);
    expect(medianRank(17).confidence).toBeCloseTo(0.951, 3);
  });
  it('sheds a repeat that stolen time dragged down, where a t interval of the mean would not', () => {
    const xs = [9.8, 9.6, 10.1, 9.9, 6.1, 9.7, 10.0, 9.8, 9.5, 10.2];
    const f = figureOf(xs);
    expect(f.ci95).toEqual([9.5, 10.1]); // x(2), x(9) of 10: the 6.1 falls outside
    expect(withinOfMedian(f, 0.1)).toBe(true);
    expect(withinOfMedian(figureOf([9.8, 9.6, 10.1, 6.2, 6.1, 9.7, 10.0, 9.8, 9.5, 10.2]), 0.1)).toBe(false);
  });
  it('interpolates quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5, 1, 3], 0.99)).toBeCloseTo(4.96, 5);
  });
  it('pairs interleaved repeats for a ratio: the median of per-repeat ratios with its interval', () => {
    const r = pairedRatio([9, 18, 27], [10, 20, 30]);
    expect(r.value).toBeCloseTo(0.9, 10);
    expect(r.ci95[0]).toBeCloseTo(0.9, 10);
    expect(r.ci95[1]).toBeCloseTo(0.9, 10);
    const noisy = pairedRatio([8, 10, 9], [10, 10, 10]);
    expect(noisy.value).toBeCloseTo(0.9, 10);
    expect(noisy.ci95).toEqual([0.8, 1]);
  });
});

describe('parseIperf', () => {
  const tcp = {
    end: {
      sum_sent: { bits_per_second: 1e10, seconds: 1, retransmits: 3 },
      sum_received: { bits_per_second: 9.9e9, seconds: 1 },
      cpu_utilization_percent: { host_total: 80, remote_total: 30 },
    },
  };
  it('reads TCP receiver throughput, retransmits and CPU', () => {
    expect(parseIperf(JSON.stringify(tcp), 'tcp')).toEqual({
      protocol: 'tcp',
      bitsPerSecond: 9.9e9,
      retransmits: 3,
      cpuSender: 80,
      cpuReceiver: 30,
    });
  });
  it('reads UDP loss and jitter, counting only what arrived', () => {
    const udp = {
      end: {
        sum: { bits_per_second: 1e9, seconds: 1, jitter_ms: 0.01, lost_percent: 10 },
        cpu_utilization_percent: { host_total: 5, remote_total: 6 },
      },
    };
    expect(parseIperf(JSON.stringify(udp), 'udp')).toMatchObject({
      bitsPerSecond: 9e8,
      lostPercent: 10,
      jitterMs: 0.01,
    });
  });
  it('says what is wrong with bad output', () => {
    expect(() => parseIperf('iperf3: error - unable to connect', 'tcp')).toThrow(/did not print JSON/);
    expect(() =>
      parseIperf(JSON.stringify({ error: 'unable to connect to server: Connection refused' }), 'tcp'),
    ).toThrow(/Connection refused/);
    expect(() =>
      parseIperf(JSON.stringify({ end: { cpu_utilization_percent: { host_total: 1, remote_total: 1 } } }), 'tcp'),
    ).toThrow(/iperf3 -J output is invalid/);
  });
});
