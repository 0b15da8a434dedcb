import { mkdir, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatorFor } from '../../lab/schema.ts';
import type { CheckResult } from '../../suites/framework/result.ts';
import { summarize } from '../../suites/framework/result.ts';
import type { ResultsFile } from '../results-file.ts';
import { renderReport } from './report.ts';

// A known results file: 3 drivers × 4 checks with a fixed mix of verdicts, a truth table with a
// mismatch, a known deviation, evidence with characters HTML must escape, and bench figures.
const verdicts: Record<string, CheckResult['verdict'][]> = {
  'ref-bridge': ['pass', 'pass', 'pass', 'skip'],
  'docker-bridge': ['pass', 'fail', 'pass', 'skip'],
  'docker-overlay': ['pass', 'pass', 'error', 'pass'],
};
const checks = ['connectivity/same-host', 'isolation/networks', 'nat/egress-masquerade', 'vni/allocation'];
const results: CheckResult[] = Object.entries(verdicts).flatMap(([driver, vs]) =>
  vs.map((verdict, i) => ({
    driver,
    mode: driver.includes('overlay') ? ('overlay' as const) : ('bridge' as const),
    check: checks[i]!,
    verdict,
    reason: verdict === 'skip' ? 'applies to mode overlay' : `${verdict} <b>not bold</b>`,
    ...(verdict === 'skip' ? { skip: 'not-applicable' as const } : {}),
    expected: { rule: 'ok within a network' },
    observed:
      i === 1
        ? {
            table: [
              {
                from: 'a1',
                to: 'b1',
                protocol: 'tcp',
                expected: 'blocked',
                observed: verdict === 'fail' ? 'ok' : 'timeout',
                match: verdict !== 'fail',
              },
            ],
          }
        : { vnis: [256] },
    evidence: [
      {
        host: 'h1',
        command: 'socat - TCP:10.0.0.2:47000 </dev/null',
        exitCode: 0,
        output: '<script>alert(1)</script>',
      },
    ],
    durationMs: 1200,
    ...(driver === 'docker-bridge' && verdict === 'fail' ? { knownDeviation: 'explained' } : {}),
  })),
);
results.push({
  driver: 'ref-bridge',
  mode: 'bridge',
  check: 'throughput/tcp-single-same-host',
  verdict: 'pass',
  reason: 'median 9.2',
  expected: null,
  observed: null,
  evidence: [],
  durationMs: 0,
  metrics: { unit: 'Gbit/s', median: 9.2, mean: 9.1, ci95: [8.6, 9.7], n: 5, samples: [9, 9.2, 9.3, 8.9, 9.1] },
});
const file: ResultsFile = {
  run: {
    id: 'abc123',
    startedAt: '2026-11-29T12:00:00.000Z',
    durationMs: 61000,
    harnessVersion: '0.1.0',
    environment: { kernel: '6.1.0', engines: [{ host: 'h1', version: '20.10.24' }] },
    lab: { kind: 'netns', hosts: ['h1', 'h2'] },
    audit: { clean: true, leaks: [] },
  },
  results,
  summary: summarize(results),
};
const ARTIFACTS = resolve('cnm-report/screenshots');
let browser: Browser;
let path: string;

beforeAll(async () => {
  expect(validatorFor('results.schema.json')(file)).toBe(true);
  await mkdir(ARTIFACTS, { recursive: true });
  path = `${ARTIFACTS}/known-report.html`;
  await writeFile(path, renderReport(file));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

describe('report.html in a real browser', () => {
  it('loads from disk with no console error and no request but itself, and shows the right counts', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    const t0 = Date.now();
    await page.goto(`file://${path}`, { waitUntil: 'load' });
    console.log(`known report rendered in ${Date.now() - t0} ms`);
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${path}`]);
    // 8 conformance passes and the throughput figure
    expect(await page.locator('#matrix td.cell.pass').count()).toBe(9);
    expect(await page.locator('#matrix td.cell.fail').count()).toBe(1);
    expect(await page.locator('#matrix td.cell.fail.known').count()).toBe(1);
    expect(await page.locator('#matrix td.cell.error').count()).toBe(1);
    expect(await page.locator('#matrix td.cell.skip.not-applicable').count()).toBe(2);
    expect(await page.locator('#total-pass').textContent()).toBe('9');
    expect(await page.locator('#total-not-applicable').textContent()).toBe('2');
    expect(await page.locator('#total-not-run').textContent()).toBe('0');
    expect(await page.locator('#summary tr[data-driver="docker-overlay"] .verdict').textContent()).toBe('fails');
    expect(await page.locator('#summary tr[data-driver="docker-bridge"] .verdict').textContent()).toBe('deviates');
    // evidence is text, never markup
    expect(await page.locator('details.result script').count()).toBe(0);
    expect(await page.locator('table.truth tr.mismatch').count()).toBeGreaterThan(0);
    expect(await page.locator('#performance svg[role="img"]').count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/report-desktop.png`, fullPage: true });
    await page.close();
  });

  it('filters by text and verdict, and a matrix cell opens its evidence', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${path}`);
    await page.fill('#filter', 'nat/');
    expect(await page.locator('#shown').textContent()).toBe('3 results shown');
    expect(await page.locator('details.result:not(.hidden)').count()).toBe(3);
    await page.fill('#filter', '');
    await page.selectOption('#verdict-filter', 'fail');
    expect(await page.locator('details.result:not(.hidden)').count()).toBe(1);
    expect(await page.locator('#matrix tbody tr:not(.hidden)').count()).toBe(1);
    await page.selectOption('#verdict-filter', '');
    const cell = page.locator('#matrix tr[data-driver="docker-overlay"] td.cell.error a');
    await cell.click();
    expect(await page.locator('details.result.error').getAttribute('open')).not.toBeNull();
    await page.close();
  });

  it("draws a resilience check's probe loop as a timeline, the fault marked and the gap shown", async () => {
    // 40 probes 150 ms apart: 10 lost while the fault (1.5–3.0 s) lasted
    const samples = Array.from({ length: 40 }, (_, i) => [i * 150, i >= 10 && i < 20 ? 'lost' : 'ok'] as const);
    const timeline = {
      from: 'p1',
      to: '10.0.0.3',
      intervalMs: 150,
      durationMs: 6000,
      samples,
      marks: [{ label: 'etcd stopped', startMs: 1500, endMs: 3000 }],
      sent: 40,
      answered: 30,
      longestGapMs: 1500,
    };
    const resilience: CheckResult = {
      driver: 'ref-overlay',
      mode: 'overlay',
      check: 'resilience/kv-outage',
      verdict: 'pass',
      reason: 'etcd was down',
      expected: null,
      observed: null,
      evidence: [],
      durationMs: 9000,
      metrics: { outageMs: 1500, timeline },
    };
    const withTimeline: ResultsFile = { ...file, results: [resilience], summary: summarize([resilience]) };
    expect(validatorFor('results.schema.json')(withTimeline)).toBe(true);
    const timelinePath = `${ARTIFACTS}/timeline-report.html`;
    await writeFile(timelinePath, renderReport(withTimeline));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${timelinePath}`);
    expect(errors).toEqual([]);
    const chart = page.locator('#timelines svg.timeline');
    expect(await chart.count()).toBe(1);
    expect(await chart.getAttribute('aria-label')).toMatch(
      /30 of 40 probes .* longest gap 1500 ms; etcd stopped 1500–3000 ms/,
    );
    expect(await page.locator('#timelines svg rect.probe.lost').count()).toBe(10);
    expect(await page.locator('#timelines svg rect.probe.ok').count()).toBe(30);
    // it is drawn: the fault's band is wide (a quarter of the run) and the lost probes sit inside it
    const band = (await page.locator('#timelines svg .fault rect').boundingBox())!;
    const svg = (await chart.boundingBox())!;
    expect(band.width / svg.width).toBeGreaterThan(0.2);
    const lost = (await page.locator('#timelines svg rect.probe.lost').first().boundingBox())!;
    expect(lost.x).toBeGreaterThanOrEqual(band.x - 1);
    expect(lost.x).toBeLessThanOrEqual(band.x + band.width);
    await page.locator('#timelines').screenshot({ path: `${ARTIFACTS}/timeline.png` });
    await page.close();
  });

  it('is readable at phone width: nothing but the matrix scrolls sideways', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await page.goto(`file://${path}`);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ARTIFACTS}/report-phone.png`, fullPage: true });
    expect((await stat(`${ARTIFACTS}/report-phone.png`)).size).toBeGreaterThan(10_000);
    await page.close();
  });
});
