import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { resolve } from 'node:path';
import type { Driver } from '../drivers/contract.ts';
import { allDrivers, resolveDrivers, UnknownDriverError } from '../drivers/registry.ts';
import { leaksBetween, snapshot, type Leak } from '../lab/audit.ts';
import { StartedLab } from '../lab/lab.ts';
import { progressLine, sandboxTimings, summaryTable } from '../reports/console.ts';
import { toJUnit } from '../reports/junit.ts';
import type { ResultsFile } from '../reports/results-file.ts';
import { assertValid } from '../lab/schema.ts';
import { selectChecks } from '../suites/catalog.ts';
import { runChecks } from '../suites/framework/engine.ts';
import { summarize, type CheckResult } from '../suites/framework/result.ts';
import { ConfigError, type RunConfig } from './config.ts';

export async function harnessVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function auditResult(leaks: Leak[], ms: number): CheckResult {
  return {
    driver: 'lab',
    mode: 'lab',
    check: 'lifecycle/leak-audit',
    verdict: leaks.length ? 'fail' : 'pass',
    reason: leaks.length ? `${leaks.length} object(s) left behind: ${leaks.map((l) => `${l.kind} ${l.item}`).slice(0, 5).join('; ')}` : 'the machine holds nothing of this run after it',
    expected: { leaks: [] },
    observed: { leaks },
    evidence: leaks.map((l) => ({ host: 'machine', command: `audit ${l.kind}`, exitCode: 1, output: l.item })),
    durationMs: ms,
  };
}

/** Resolves the config's drivers and checks before anything is brought up, so a typo costs nothing. */
function plan(config: RunConfig) {
  let drivers: Driver[] | undefined;
  try {
    drivers = config.drivers ? resolveDrivers(config.drivers) : undefined;
  } catch (e) {
    if (e instanceof UnknownDriverError) throw new ConfigError(`${e.message}\nSee 'cnm-harness list'.`);
    throw e;
  }
  const checks = selectChecks(config.checks);
  if (checks.length === 0) throw new ConfigError(`--checks ${config.checks} matches no check. See 'cnm-harness list'.`);
  return { drivers, checks };
}

/**
 * `cnm-harness run`: lab up, every check on every driver, lab down, leak audit, reports.
 * Returns the exit code: 0 all passed, 1 a check failed or errored, 130 interrupted.
 */
export async function runCommand(config: RunConfig, log: (line: string) => void = console.log): Promise<number> {
  const { drivers: requested, checks } = plan(config);
  const startedAt = new Date();
  const before = await snapshot();
  const controller = new AbortController();
  let lab: StartedLab | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return log(`${signal} again: still cleaning up, please wait`);
    interrupted = true;
    log(`\n${signal}: stopping the run and removing everything it made …`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results: CheckResult[] = [];
  const aborted = new Promise<void>((r) => controller.signal.addEventListener('abort', () => r()));
  let downMs = 0;
  let engines: { host: string; version: string }[] = [];
  try {
    log(`cnm-harness run: lab ${config.lab}, ${config.hosts} host(s), report in ${config.report}`);
    lab = await Promise.race([StartedLab.up({ kind: config.lab, hosts: config.hosts }, log), aborted.then(() => undefined)]);
    if (lab) {
      log(`lab ${lab.runId} up in ${(lab.descriptor.upMs / 1000).toFixed(1)}s: ${lab.hosts.map((h) => h.name).join(', ')}`);
      engines = await Promise.all(lab.hosts.map(async (h) => ({ host: h.name, version: await h.engineVersion() })));
      const drivers = requested ?? allDrivers().filter((d) => !d.unsupportedReason(lab!));
      log(`drivers: ${drivers.map((d) => d.id).join(', ')}; ${checks.length} check(s)`);
      const work = runChecks({
        lab,
        drivers,
        checks,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'result') {
            results.push(e.result);
            // a check that does not apply to the driver's mode is in the results, not worth a console line
            if (e.result.verdict !== 'skip' || !e.result.reason.startsWith('applies to mode')) log(progressLine(e.result, results.length));
          } else if (e.type === 'driver-start') log(`starting ${e.driver} …`);
        },
      });
      await Promise.race([work, aborted]);
    }
  } finally {
    process.off('SIGINT', onSignal);
    // a second signal during teardown must not kill the process half-way through cleanup
    const ignore = () => log('still cleaning up, please wait');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    const t0 = Date.now();
    if (lab) await lab.down();
    else if (interrupted) await (await import('../lab/reaper.ts')).cleanDeadRuns();
    downMs = Date.now() - t0;
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
  }
  const tAudit = Date.now();
  const leaks = await leaksBetween(before, await snapshot(), lab?.runId);
  results.push(auditResult(leaks, Date.now() - tAudit));
  log(progressLine(results.at(-1)!, results.length));

  const file: ResultsFile = {
    run: {
      id: lab?.runId ?? '000000',
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      harnessVersion: await harnessVersion(),
      command: process.argv.slice(2).join(' '),
      environment: { kernel: release(), node: process.version, engines },
      lab: { kind: config.lab, hosts: lab?.hosts.map((h) => h.name) ?? ['(not started)'], upMs: lab?.descriptor.upMs, downMs, ...(lab?.underlay ? { underlay: lab.underlay } : {}) },
      audit: { clean: leaks.length === 0, leaks },
      ...(interrupted ? { interrupted: true } : {}),
    },
    results,
    summary: summarize(results),
  };
  assertValid('results.schema.json', file, 'results.json');
  const dir = resolve(config.report);
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/results.json`, `${JSON.stringify(file, null, 2)}\n`);
  await writeFile(`${dir}/junit.xml`, toJUnit(file));
  log(`\n${summaryTable(results, file.summary)}\n`);
  const timings = sandboxTimings(results);
  if (timings) log(timings);
  log(`run ${file.run.id}: ${(file.run.durationMs / 1000).toFixed(1)}s, lab up ${((lab?.descriptor.upMs ?? 0) / 1000).toFixed(1)}s, down ${(downMs / 1000).toFixed(1)}s; leak audit ${leaks.length ? `FAILED (${leaks.length})` : 'clean'}`);
  log(`report: ${dir}/results.json and ${dir}/junit.xml`);
  const known = results.filter((r) => r.knownDeviation).length;
  if (known) log(`${known} fail(s) are known deviations of the driver (explained in results.json; they do not fail the run)`);
  if (interrupted) return 130;
  return results.some((r) => r.verdict === 'error' || (r.verdict === 'fail' && !r.knownDeviation)) ? 1 : 0;
}
