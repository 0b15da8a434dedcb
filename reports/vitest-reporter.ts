import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { resolve } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { assertValid } from '../lab/schema.ts';
import type { CheckResult } from '../suites/framework/result.ts';
import { summarize } from '../suites/framework/result.ts';
import { toJUnit } from './junit.ts';
import type { ResultsFile } from './results-file.ts';
import { writeHtmlReport } from './write-report.ts';

/** Set by the conformance global setup (same process as reporters): which lab the checks ran on. */
export const LAB_ENV = 'CNM_HARNESS_TEST_LAB';

/**
 * `npm test` writes the same reports as `cnm-harness run`: every conformance check's result (the
 * tests put it in their task meta) goes into cnm-report/npm-test/{results.json,junit.xml,report.html}.
 */
export default class CnmReporter implements Reporter {
  private readonly startedAt = new Date();

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const results: CheckResult[] = [];
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const r = (t.meta() as { result?: CheckResult }).result;
        if (r) results.push(r);
      }
    }
    if (!results.length) return;
    const lab = JSON.parse(process.env[LAB_ENV] ?? '{}') as {
      runId?: string;
      kind?: 'netns' | 'local';
      hosts?: string[];
    };
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const file: ResultsFile = {
      run: {
        id: lab.runId ?? '000000',
        startedAt: this.startedAt.toISOString(),
        durationMs: Date.now() - this.startedAt.getTime(),
        harnessVersion: pkg.version,
        command: 'npm test',
        environment: { kernel: release(), node: process.version, engines: [] },
        lab: { kind: lab.kind ?? 'netns', hosts: lab.hosts?.length ? lab.hosts : ['(unknown)'] },
      },
      results,
      summary: summarize(results),
    };
    assertValid('results.schema.json', file, 'results.json');
    const dir = resolve('cnm-report/npm-test');
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/results.json`, `${JSON.stringify(file, null, 2)}\n`);
    await writeFile(`${dir}/junit.xml`, toJUnit(file));
    await writeHtmlReport(file, `${dir}/report.html`);
    console.log(`cnm-harness: ${results.length} check results → ${dir}/report.html`);
  }
}
