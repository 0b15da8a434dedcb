import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { expect, it, onTestFinished } from 'vitest';
import { testTempDir } from '../lab/testing/temp-dir.ts';
import type { ResultsFile } from '../reports/results-file.ts';

const CLI = new URL('../bin/cnm-harness.mjs', import.meta.url).pathname;
const DRIVERS = ['ref-overlay', 'docker-overlay'];
const CHECKS = 'connectivity/cross-*,nat/overlay-real-addresses,vni/allocation,convergence/cross-host';

type Result = ResultsFile['results'][number];
const observed = (r: Result | undefined) => (r?.observed ?? {}) as Record<string, unknown>;

// the multi-host checks use every host of the lab, not the first two: a full mesh of cross-host pairs,
// VNIs compared on every host, a new endpoint joined on each other host
it('a 4-host lab: the overlays pass the multi-host checks on all four hosts', async () => {
  const report = await testTempDir('cnm-4hosts-', onTestFinished);
  const started = Date.now();
  const res = await execa(
    'node',
    [CLI, 'run', '--hosts', '4', '--drivers', DRIVERS.join(','), '--checks', CHECKS, '--report', report],
    { reject: false, all: true, timeout: 600_000 },
  );
  const wallMs = Date.now() - started;
  expect(res.exitCode, res.all).toBe(0);
  const results = JSON.parse(await readFile(`${report}/results.json`, 'utf8')) as ResultsFile;
  const hosts = results.run.lab.hosts;
  expect(hosts).toHaveLength(4);
  const find = (driver: string, check: string) => results.results.find((r) => r.driver === driver && r.check === check);
  for (const driver of DRIVERS) {
    const mesh = find(driver, 'connectivity/cross-host');
    expect(mesh?.verdict, JSON.stringify(mesh)).toBe('pass');
    const rows = observed(mesh).table as { from: string; to: string; observed: string }[];
    // 4 sandboxes, one per host: 12 ordered pairs, three protocols each, every one answered
    expect(rows).toHaveLength(36);
    expect(rows.every((r) => r.observed === 'ok')).toBe(true);
    expect(new Set(Object.values(observed(mesh).hosts as Record<string, string>))).toEqual(new Set(hosts));

    const vnis = find(driver, 'vni/allocation');
    expect(vnis?.verdict, JSON.stringify(vnis)).toBe('pass');
    const perHost = observed(vnis).perHost as Record<string, Record<string, number[]>>;
    for (const network of Object.values(perHost)) expect(Object.keys(network).sort()).toEqual([...hosts].sort());

    const joined = find(driver, 'convergence/cross-host');
    expect(joined?.verdict, JSON.stringify(joined)).toBe('pass');
    expect((observed(joined).perHost as { host: string }[]).map((j) => j.host)).toEqual(hosts.slice(1));
  }
  expect(results.run.audit?.clean).toBe(true);
  console.log(`4-host run of ${DRIVERS.join(', ')}: ${(wallMs / 1000).toFixed(1)} s wall`);
});
