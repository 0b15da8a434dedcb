import { setMaxListeners } from 'node:events';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { resolve } from 'node:path';
import { StartedLab, type LabKind } from '../lab/lab.ts';
import { cleanDeadRuns, LOCAL_DOCKER_SOCKET } from '../lab/reaper.ts';
import { remoteSnapshots, type RemoteSnapshots } from '../lab/remote/remote-audit.ts';
import { assertValid } from '../lab/schema.ts';
import { settledWithin } from '../lab/wait.ts';
import { progressLine, summaryTable } from '../reports/console.ts';
import { toJUnit } from '../reports/junit.ts';
import type { ResultsFile } from '../reports/results-file.ts';
import { writeHtmlReport } from '../reports/write-report.ts';
import { countsAsFailure, summarize, type CheckResult } from '../suites/framework/result.ts';
import { leakAudit, trySnapshot } from './leak-audit.ts';

export async function harnessVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The logs of the plugins the run launched go with the lab: copies are kept in the report's logs/. */
async function keepPluginLogs(lab: StartedLab, report: string, log: (line: string) => void): Promise<void> {
  const kept: string[] = [];
  for (const h of lab.hosts) {
    const dir = h.descriptor.dataDir;
    if (!dir) continue;
    for (const f of (await readdir(dir).catch(() => [])).filter((n) => /^plugin.*\.log$/.test(n))) {
      await mkdir(`${report}/logs`, { recursive: true });
      await copyFile(`${dir}/${f}`, `${report}/logs/${h.name}-${f}`);
      kept.push(`logs/${h.name}-${f}`);
    }
  }
  if (kept.length) log(`plugin logs kept in ${report}: ${kept.join(', ')}`);
}

/** What the work threw, as a result: the harness could not finish, which says nothing of a driver. */
function harnessError(name: string, e: unknown): CheckResult {
  const message = e instanceof Error ? e.message : String(e);
  return {
    driver: 'lab',
    mode: 'lab',
    check: 'lifecycle/harness',
    verdict: 'error',
    component: 'harness',
    reason: `the ${name} stopped early: ${message.split('\n')[0]}`,
    expected: null,
    observed: null,
    evidence: [
      { host: 'harness', command: name, exitCode: 1, output: e instanceof Error ? (e.stack ?? message) : message },
    ],
    durationMs: 0,
  };
}

/** After Ctrl-C, how long the work gets to stop (the running check's grace and cleanup) before the lab goes. */
const WORK_STOP_GRACE_MS = 75_000;

export interface SessionOptions {
  name: string;
  lab: LabKind;
  hosts: number;
  /** --lab remote: the lab file, and whether a swarm its hosts are in may be used. */
  labFile?: string;
  useExistingSwarm?: boolean;
  report: string;
  log: (line: string) => void;
  /** The remote plugins the work may launch: their files on the machine's own plugin paths are leaks. */
  plugins?: string[];
}

/** A local lab whose engine is not the machine's default socket (DOCKER_HOST, testcontainers' settings). */
function otherEngine(lab: StartedLab): boolean {
  const socket = lab.descriptor.localEngine?.socketPath;
  return socket !== undefined && socket !== LOCAL_DOCKER_SOCKET;
}

/** How each remote host's engine was reached, for results.json. */
function transportsOf(lab: StartedLab): NonNullable<ResultsFile['run']['lab']['transports']> {
  return Object.fromEntries(
    lab.hosts.map((h) => {
      const e = h.descriptor.engine!;
      return [h.name, { transport: e.transport, endpoint: e.endpoint, ...(e.context ? { context: e.context } : {}) }];
    }),
  );
}

export interface SessionWork {
  lab: StartedLab;
  signal: AbortSignal;
  /** Adds a finished result (and prints its line). */
  push: (result: CheckResult, quiet?: boolean) => void;
}

export interface SessionOutcome {
  file: ResultsFile;
  interrupted: boolean;
  dir: string;
}

/**
 * What every command that brings a lab up shares: the machine snapshot before, the lab, Ctrl-C
 * handling (stop, clean up, exit 130), teardown, the leak audit, and results.json + junit.xml.
 */
export async function labSession(o: SessionOptions, work: (w: SessionWork) => Promise<void>): Promise<SessionOutcome> {
  const { log } = o;
  const startedAt = new Date();
  const before = await trySnapshot();
  const controller = new AbortController();
  // every check running side by side, and every claim waiting for its turn, listens to it
  setMaxListeners(100, controller.signal);
  let lab: StartedLab | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return log(`${signal} again: still cleaning up, please wait`);
    interrupted = true;
    log(`\n${signal}: stopping the ${o.name} and removing everything it made …`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results: CheckResult[] = [];
  const push = (r: CheckResult, quiet = false) => {
    results.push(r);
    if (!quiet) log(progressLine(r, results.length));
  };
  const aborted = new Promise<void>((r) => controller.signal.addEventListener('abort', () => r()));
  let downMs: number;
  let engines: { host: string; version: string }[] = [];
  let remoteBefore: RemoteSnapshots | undefined;
  let remoteAfter: RemoteSnapshots | undefined;
  try {
    log(`cnm-harness ${o.name}: lab ${o.lab}, ${o.hosts} host(s), report in ${o.report}`);
    const upping = StartedLab.up(
      {
        kind: o.lab,
        hosts: o.hosts,
        ...(o.labFile ? { labFile: o.labFile, useExistingSwarm: o.useExistingSwarm ?? false } : {}),
      },
      log,
    );
    lab = await Promise.race([upping, aborted.then(() => undefined)]);
    // interrupted while coming up: let it finish (it is bounded), so that it is torn down, not orphaned
    if (!lab) lab = await upping.catch(() => undefined);
    if (lab && !interrupted) {
      log(
        `lab ${lab.runId} up ` +
          `in ${(lab.descriptor.upMs / 1000).toFixed(1)}s: ${lab.hosts.map((h) => h.name).join(', ')}`,
      );
      engines = await Promise.all(lab.hosts.map(async (h) => ({ host: h.name, version: await h.engineVersion() })));
      if (lab.kind === 'remote') remoteBefore = await remoteSnapshots(lab.hosts, false, lab.runId);
      // a local lab on an engine other than the machine's socket: its objects are audited through its API
      if (otherEngine(lab)) remoteBefore = await remoteSnapshots(lab.hosts, true);
      // whatever the work throws, the run still ends in results, a report and an audit
      const working = work({ lab, signal: controller.signal, push }).catch((e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        log(`the ${o.name} stopped early: ${message}`);
        push(harnessError(o.name, e));
      });
      await Promise.race([working, aborted]);
      // stopped: the engine aborts the running check and waits for it; give that time before teardown
      if (interrupted) await settledWithin(working, WORK_STOP_GRACE_MS);
      // a remote host's links and rules are read through the run's helper, which goes with the lab
      if (remoteBefore && lab.kind === 'remote') remoteAfter = await remoteSnapshots(lab.hosts, false, lab.runId);
    }
  } finally {
    process.off('SIGINT', onSignal);
    // a second signal during teardown must not kill the process half-way through cleanup
    const ignore = () => log('still cleaning up, please wait');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    const t0 = Date.now();
    if (lab) await keepPluginLogs(lab, resolve(o.report), log);
    if (lab) {
      await lab.down();
      if (remoteBefore && otherEngine(lab)) remoteAfter = await remoteSnapshots(lab.hosts, true);
    } else if (interrupted) await cleanDeadRuns();
    downMs = Date.now() - t0;
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
  }
  const remote = remoteBefore ? { before: remoteBefore, after: remoteAfter ?? new Map() } : undefined;
  const { result: auditResult, audit } = await leakAudit(before, lab?.runId, results, o.plugins, remote);
  push(auditResult);
  const leaks = audit?.leaks ?? [];

  const file: ResultsFile = {
    run: {
      id: lab?.runId ?? '000000',
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      harnessVersion: await harnessVersion(),
      command: process.argv.slice(2).join(' '),
      environment: { kernel: release(), node: process.version, engines },
      lab: {
        kind: o.lab,
        hosts: lab?.hosts.map((h) => h.name) ?? ['(not started)'],
        upMs: lab?.descriptor.upMs,
        downMs,
        ...(lab?.underlay ? { underlay: lab.underlay } : {}),
        ...(lab?.kind === 'remote' ? { transports: transportsOf(lab) } : {}),
        ...(lab?.descriptor.localEngine ? { engine: lab.descriptor.localEngine } : {}),
      },
      ...(audit ? { audit: { clean: leaks.length === 0, leaks, foreign: audit.foreign } } : {}),
      ...(interrupted ? { interrupted: true } : {}),
    },
    results,
    summary: summarize(results),
  };
  assertValid('results.schema.json', file, 'results.json');
  const dir = resolve(o.report);
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/results.json`, `${JSON.stringify(file, null, 2)}\n`);
  await writeFile(`${dir}/junit.xml`, toJUnit(file));
  await writeHtmlReport(file, `${dir}/report.html`);
  log(`\n${summaryTable(results)}\n`);
  log(
    `${o.name} ${file.run.id}: ${(file.run.durationMs / 1000).toFixed(1)}s, lab ` +
      `up ${((lab?.descriptor.upMs ?? 0) / 1000).toFixed(1)}s, down ${(downMs / 1000).toFixed(1)}s; leak ` +
      `audit ${!audit ? 'ERROR (see lifecycle/leak-audit)' : leaks.length ? `FAILED (${leaks.length})` : 'clean'}` +
      (audit?.foreign.length ? ` (${audit.foreign.length} change(s) by others listed)` : ''),
  );
  return { file, interrupted, dir };
}

/** 0 all passed (known deviations aside), 1 a fail or error, 130 interrupted. */
export function exitCodeOf(outcome: SessionOutcome): number {
  if (outcome.interrupted) return 130;
  return outcome.file.results.some((r) => r.verdict === 'error' || countsAsFailure(r)) ? 1 : 0;
}
