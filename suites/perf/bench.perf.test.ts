import { describe, expect, inject, it } from 'vitest';
import { refBridge } from '../../drivers/reference/adapters.ts';
import { StartedLab } from '../../lab/lab.ts';
import { runBench } from './bench.ts';

// Smoke mode: the machinery of the bench (servers, clients, parsing, statistics, ratios), never
// the speed. Figures land in the test's output for the curious; no assertion depends on them.
const lab = StartedLab.attach(inject('lab'));

describe('bench smoke', () => {
  it('measures ref-bridge beside the veth ceiling and computes figures and a ratio with sane intervals', async () => {
    const out = await runBench({
      lab,
      drivers: [refBridge],
      ceilings: ['veth'],
      // precision 0: no interval of two different samples meets it, so the TCP figures always get a third
      repeats: { min: 2, max: 3, precision: 0 },
      durationS: 1,
      udpRate: 1e8,
      pingCount: 20,
      maxStolenPercent: 5,
    });
    const byCheck = (driver: string, check: string) =>
      out.results.find((r) => r.driver === driver && r.check === check);
    for (const driver of ['ref-bridge', 'veth-ceiling']) {
      const placement = driver === 'ref-bridge' ? 'same-host' : 'ceiling';
      for (const check of ['throughput/tcp-single', 'throughput/tcp-parallel', 'throughput/udp', 'latency/rtt']) {
        const r = byCheck(driver, `${check}-${placement}`);
        expect(r, `${driver} ${check}`).toBeDefined();
        expect(r!.verdict, `${driver} ${check}: ${r!.reason}`).toBe('pass');
        const m = r!.metrics as { samples: number[]; median: number; mean: number; ci95: [number, number] };
        // 2 rounds of every case; a third for the TCP figures alone, as ±0% is out of their reach
        expect(m.samples).toHaveLength(check.startsWith('throughput/tcp') ? 3 : 2);
        expect(m.samples.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
        expect(m.ci95[0]).toBeLessThanOrEqual(m.median);
        expect(m.ci95[1]).toBeGreaterThanOrEqual(m.median);
        expect(m.ci95[0]).toBeGreaterThanOrEqual(0);
      }
    }
    const tcp = byCheck('ref-bridge', 'throughput/tcp-single-same-host')!.metrics as {
      extras: Record<string, { samples: number[] }>;
    };
    // every sample says how much CPU the hypervisor stole meanwhile, and how often it was measured again for that
    expect(tcp.extras.stolenCpuPercent!.samples.every((x) => x >= 0 && x <= 100)).toBe(true);
    expect(tcp.extras.remeasured!.samples.every((x) => Number.isInteger(x) && x >= 0 && x <= 3)).toBe(true);
    const udp = byCheck('ref-bridge', 'throughput/udp-same-host')!.metrics as {
      extras: Record<string, { median: number }>;
    };
    expect(udp.extras.lostPercent!.median).toBeGreaterThanOrEqual(0);
    expect(udp.extras.jitterMs!.median).toBeGreaterThanOrEqual(0);
    expect(out.repeats).toMatchObject({ done: 3, full: 2, precise: false });
    expect(out.repeats.wide.length).toBeGreaterThan(0);
    const ratio = out.ratios['ref-bridge/veth-ceiling'];
    expect(ratio).toBeDefined();
    expect(ratio!.value).toBeGreaterThan(0);
    expect(ratio!.ci95[0]).toBeLessThanOrEqual(ratio!.value);
    expect(ratio!.ci95[1]).toBeGreaterThanOrEqual(ratio!.value);
    console.log(out.results.find((r) => r.check === 'throughput/ratios')!.reason);
  });

  it('reports a server that is not there as an error of that case, and goes on', async () => {
    const { runIperfClient } = await import('../../lab/iperf3.ts');
    const { run } = await import('../../lab/linux/command.ts');
    const exec = (argv: string[], t?: number) => run(argv, { netns: lab.underlay!.outside.netns, timeoutMs: t });
    await expect(
      runIperfClient(exec, lab.hosts[0]!.descriptor.underlayAddress!, 5999, { durationS: 1 }),
    ).rejects.toThrow(/iperf3 client to .*:5999: iperf3: .*(refused|unable)/i);
  });

  it('measures only the figures asked for (bench --quick: TCP single stream and round-trip time)', async () => {
    const out = await runBench({
      lab,
      drivers: [refBridge],
      ceilings: ['veth'],
      measures: ['tcp-single', 'rtt'],
      repeats: { min: 2, max: 2, precision: 0.1 },
      durationS: 1,
      udpRate: 1e8,
      pingCount: 20,
      maxStolenPercent: 5,
    });
    const checks = out.results.filter((r) => r.driver === 'ref-bridge').map((r) => r.check);
    expect(checks.sort()).toEqual(['latency/rtt-same-host', 'throughput/tcp-single-same-host']);
    expect(out.results.every((r) => r.verdict === 'pass')).toBe(true);
    expect(out.ratios['ref-bridge/veth-ceiling']).toBeDefined();
  });
});
