import { expect, it } from 'vitest';
import { DEFAULT_BENCH_DRIVERS, QUICK, resolveBenchConfig } from './bench.ts';

it('--quick: the headline figures of the four drivers beside veth and VXLAN, 6 rounds of 1 s', () => {
  const quick = resolveBenchConfig({ quick: true });
  expect(quick).toMatchObject({
    drivers: QUICK.drivers,
    ceilings: ['veth', 'vxlan'],
    measures: ['tcp-single', 'rtt'],
    repeats: { min: 6, max: 12, precision: 0.1 },
    durationS: 1,
    pingCount: 50,
  });
  // what the user says still wins
  expect(resolveBenchConfig({ quick: true, drivers: 'ref-bridge', repeats: '3', duration: '2' })).toMatchObject({
    drivers: ['ref-bridge'],
    repeats: { min: 3, max: 3 },
    durationS: 2,
    measures: ['tcp-single', 'rtt'],
  });
  // without it, everything as before
  expect(resolveBenchConfig({})).toMatchObject({
    drivers: DEFAULT_BENCH_DRIVERS,
    measures: ['tcp-single', 'tcp-parallel', 'udp', 'rtt'],
    repeats: { min: 10, max: 60 },
    durationS: 2,
    pingCount: 200,
  });
});
