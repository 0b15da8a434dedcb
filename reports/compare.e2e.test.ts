import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { expect, it, onTestFinished } from 'vitest';
import { mustRun } from '../lab/linux/command.ts';
import { testTempDir } from '../lab/testing/temp-dir.ts';

const CLI = new URL('../bin/cnm-harness.mjs', import.meta.url).pathname;
const ARGS = ['run', '--drivers', 'docker-bridge', '--checks', 'isolation/networks', '--hosts', '1'];

// Two real runs; in the second, a lab host is broken on purpose (an ACCEPT in DOCKER-USER lets
// bridge networks talk). `report compare` must name the regression and exit 1.
it('report compare shows a regression planted in the second of two real runs', async () => {
  const [a, b] = [await testTempDir('cmp-a-', onTestFinished), await testTempDir('cmp-b-', onTestFinished)];
  const baseline = await execa('node', [CLI, ...ARGS, '--report', a], { reject: false, all: true });
  expect(baseline.exitCode, baseline.all).toBe(0);

  const current = execa('node', [CLI, ...ARGS, '--report', b], { reject: false, all: true });
  const runId = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no lab line:\n${seen}`)), 60_000);
    current.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /^lab ([0-9a-f]{6}) up/m.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  await mustRun(['iptables', '-w', '5', '-I', 'DOCKER-USER', '-j', 'ACCEPT'], { netns: `cnmh-${runId}-h1` });
  const broken = await current;
  expect(broken.exitCode, broken.all).toBe(1);

  const cmp = await execa('node', [CLI, 'report', 'compare', `${a}/results.json`, `${b}/results.json`], {
    reject: false,
    all: true,
  });
  expect(cmp.exitCode, cmp.all).toBe(1);
  expect(cmp.all).toContain('new failures: 1');
  expect(cmp.all).toMatch(/docker-bridge isolation\/networks: pass → fail/);
  const html = await readFile(`${b}/report.html`, 'utf8');
  expect(html).toContain('Compared with run');
  expect(html).toMatch(/docker-bridge isolation\/networks: pass → fail/);
});
