import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { testTempDir } from '../lab/testing/temp-dir.ts';
import type { ResultsFile } from '../reports/results-file.ts';

/**
 * Verdicts do not depend on scheduling: the default drivers run one after another (`--concurrency
 * 1`) and side by side (the default), ROUNDS times each, alternating so that load drifts alike on
 * both; every check's verdicts are compared. Run it with `npm run test:schedules` (under load, as
 * CI machines are); the table goes to cnm-report/schedules.json.
 */
const ROUNDS = Number(process.env.CNM_HARNESS_SCHEDULE_ROUNDS ?? 5);
const CLI = new URL('../bin/cnm-harness.mjs', import.meta.url).pathname;

interface Tally {
  sequential: string[];
  concurrent: string[];
  reasons: string[];
}

it(`verdicts are the same one after another and side by side (${ROUNDS} runs each)`, async () => {
  const tally = new Map<string, Tally>();
  const runs: { schedule: string; seconds: number; auditClean: boolean }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const schedule of ['sequential', 'concurrent'] as const) {
      const dir = await testTempDir('cnm-schedules-', onTestFinished);
      const args = ['run', '--report', dir, ...(schedule === 'sequential' ? ['--concurrency', '1'] : [])];
      const t0 = Date.now();
      const r = await execa('node', [CLI, ...args], { reject: false, all: true, timeout: 1_200_000 });
      const file = JSON.parse(await readFile(`${dir}/results.json`, 'utf8').catch(() => 'null')) as ResultsFile | null;
      expect(file, `run ${round + 1} (${schedule}) wrote no results.json:\n${r.all}`).not.toBeNull();
      runs.push({ schedule, seconds: (Date.now() - t0) / 1000, auditClean: file!.run.audit?.clean === true });
      for (const x of file!.results) {
        const key = `${x.driver} ${x.check}`;
        const t = tally.get(key) ?? { sequential: [], concurrent: [], reasons: [] };
        t[schedule].push(x.verdict);
        if (x.verdict !== 'pass' && x.verdict !== 'skip') t.reasons.push(`${schedule}: ${x.verdict}: ${x.reason}`);
        tally.set(key, t);
      }
    }
  }
  const table = [...tally].map(([key, t]) => ({ key, ...t }));
  // sensitive: a check whose verdicts differ, across runs or between schedules
  const sensitive = table.filter((t) => new Set([...t.sequential, ...t.concurrent]).size > 1);
  await mkdir(resolve('cnm-report'), { recursive: true });
  await writeFile(
    resolve('cnm-report/schedules.json'),
    `${JSON.stringify({ rounds: ROUNDS, runs, sensitive, table }, null, 2)}\n`,
  );
  expect(
    runs.every((r) => r.auditClean),
    JSON.stringify(runs),
  ).toBe(true);
  expect(sensitive, JSON.stringify(sensitive, null, 2)).toEqual([]);
});
