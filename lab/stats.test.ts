import { describe as suite, expect, it } from 'vitest';
import { parseIperf } from './iperf3.ts';
import { describe, pairedRatio, quantile, t95 } from './stats.ts';

suite('stats', () => {
  it('describes samples: median, extremes, a t interval around the mean', () => {
    const f = describe([10, 12, 11, 13, 9]);
    expect(f).toMatchObject({ n: 5, median: 11, mean: 11, min: 9, max: 13 });
    // sd = 1.5811, t(4) = 2.776 → half-width 1.963
    expect(f.ci95[0]).toBeCloseTo(9.037, 2);
    expect(f.ci95[1]).toBeCloseTo(12.963, 2);
    expect(describe([7]).ci95).toEqual([7, 7]);
    expect(describe([1, 9]).ci95[0]).toBe(0);
    expect(describe([1, 9], false).ci95[0]).toBeLessThan(0);
    expect(() => describe([])).toThrow(/no samples/);
  });
  it('interpolates quantiles and uses the normal quantile past 30 degrees of freedom', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5, 1, 3], 0.99)).toBeCloseTo(4.96, 5);
    expect(t95(1)).toBe(12.706);
    expect(t95(100)).toBe(1.96);
  });
  it('pairs interleaved repeats for a ratio with its interval', () => {
    const r = pairedRatio([9, 18, 27], [10, 20, 30]);
    expect(r.value).toBeCloseTo(0.9, 10);
    expect(r.ci95[0]).toBeCloseTo(0.9, 10);
    expect(r.ci95[1]).toBeCloseTo(0.9, 10);
    const noisy = pairedRatio([8, 10], [10, 10]);
    expect(noisy.ci95[0]).toBeLessThan(noisy.value);
    expect(noisy.ci95[1]).toBeGreaterThan(noisy.value);
  });
});

suite('parseIperf', () => {
  const tcp = { end: { sum_sent: { bits_per_second: 1e10, seconds: 1, retransmits: 3 }, sum_received: { bits_per_second: 9.9e9, seconds: 1 }, cpu_utilization_percent: { host_total: 80, remote_total: 30 } } };
  it('reads TCP receiver throughput, retransmits and CPU', () => {
    expect(parseIperf(JSON.stringify(tcp), 'tcp')).toEqual({ protocol: 'tcp', bitsPerSecond: 9.9e9, retransmits: 3, cpuSender: 80, cpuReceiver: 30 });
  });
  it('reads UDP loss and jitter, counting only what arrived', () => {
    const udp = { end: { sum: { bits_per_second: 1e9, seconds: 1, jitter_ms: 0.01, lost_percent: 10 }, cpu_utilization_percent: { host_total: 5, remote_total: 6 } } };
    expect(parseIperf(JSON.stringify(udp), 'udp')).toMatchObject({ bitsPerSecond: 9e8, lostPercent: 10, jitterMs: 0.01 });
  });
  it('says what is wrong with bad output', () => {
    expect(() => parseIperf('iperf3: error - unable to connect', 'tcp')).toThrow(/did not print JSON/);
    expect(() => parseIperf(JSON.stringify({ error: 'unable to connect to server: Connection refused' }), 'tcp')).toThrow(/Connection refused/);
    expect(() => parseIperf(JSON.stringify({ end: { cpu_utilization_percent: { host_total: 1, remote_total: 1 } } }), 'tcp')).toThrow(/iperf3 -J output is invalid/);
  });
});
