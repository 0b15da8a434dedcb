import pLimit from 'p-limit';
import type { Driver, StartedDriver } from '../../drivers/contract.ts';
import { LabFault } from '../../lab/lab-fault.ts';
import type { StartedLab } from '../../lab/lab.ts';
import { ensureProbeServers } from '../../lab/probe-servers.ts';
import { settledWithin } from '../../lab/wait.ts';
import { knownDeviation } from '../known-deviations.ts';
import { CheckShares } from './check-shares.ts';
import type { Check, CheckOutcome } from './check.ts';
import { CheckContext, type CheckSettings } from './context.ts';
import { getsHostsOfItsOwn } from './driver-conflicts.ts';
import { runDriversSideBySide } from './driver-pool.ts';
import { claimsFor, LabClaims } from './lab-claims.ts';
import { combineRepeats } from './repeat.ts';
import { unmetRequirement, type Unmet } from './requirements.ts';
import type { CheckResult, Evidence } from './result.ts';

const DEFAULT_CHECK_TIMEOUT_MS = 180_000;
/** Attempts after the first, for errors a driver declares transient. */
const TRANSIENT_RETRIES = 2;

export type EngineEvent =
  | { type: 'driver-start'; driver: string }
  | { type: 'driver-ready'; driver: string; ms: number }
  | { type: 'driver-failed'; driver: string; message: string }
  | { type: 'driver-done'; driver: string; ms: number; stopError?: string }
  | { type: 'result'; result: CheckResult };

function base(driver: Driver, check: Check) {
  return {
    driver: driver.id,
    mode: driver.profile.mode,
    check: check.id,
    expected: null,
    observed: null,
    evidence: [] as Evidence[],
    durationMs: 0,
  };
}

/**
 * The outside peer's probe servers live as long as the lab: before a check relies on them they must
 * answer a local probe, and a dead one is started again — never a driver's fail for the lab's fault.
 */
async function outsidePeerServing(ctx: CheckContext): Promise<void> {
  const netns = ctx.lab.underlay!.outside.netns;
  const health = await ensureProbeServers(netns);
  const label = health.restarted ? `${netns} (probe servers restarted)` : netns;
  if (health.restarted || !health.healthy) for (const e of health.evidence) ctx.record(label, e);
  if (!health.healthy)
    throw new LabFault("outside peer's probe servers", 'they do not answer a local probe, even after a restart');
}

/** A check that threw: an error, naming the component when the lab or the harness is at fault. */
function errorOf(e: unknown): Pick<CheckResult, 'verdict' | 'reason' | 'observed' | 'component'> {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof LabFault)
    return {
      verdict: 'error',
      reason: `${e.component}: ${message}`,
      observed: e.observed ?? null,
      component: e.component,
    };
  return { verdict: 'error', reason: message, observed: null };
}

export function skipped(driver: Driver, check: Check, unmet: Unmet): CheckResult {
  return { ...base(driver, check), verdict: 'skip', reason: unmet.reason, skip: unmet.kind };
}

/** How long a stopped check gets to notice its signal and return, before its cleanup runs anyway. */
const STOP_GRACE_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs the check until it returns, times out or the run is interrupted. When it is stopped, its
 * signal aborts and it gets a grace period to notice and return: only then (or after the grace
 * period, for a check that ignores everything) does its cleanup run, so nothing it makes afterwards
 * escapes the cleanup.
 */
async function runStoppable(check: Check, ctx: CheckContext): Promise<CheckOutcome> {
  const running = check.run(ctx);
  const ms = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const stopped = new Promise<never>((_, reject) => {
    const onAbort = () => reject(ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('stopped'));
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await withTimeout(Promise.race([running, stopped]), ms, check.id);
  } catch (e) {
    if (!ctx.signal.aborted) ctx.abort(e instanceof Error ? e : new Error(String(e)));
    // let it notice: a check that honours its signal returns within moments
    await settledWithin(running, STOP_GRACE_MS);
    throw e;
  }
}

/**
 * Runs one check on a started driver: skip, pass, fail or error — never throws. An error the
 * driver declares transient is retried (twice at most); the earlier errors stay in the evidence.
 */
export async function runCheck(
  lab: StartedLab,
  started: StartedDriver,
  check: Check,
  signal: AbortSignal = new AbortController().signal,
  settings: CheckSettings = {},
): Promise<CheckResult> {
  const transient = started.driver.transientErrors;
  const earlier: CheckResult[] = [];
  let result = await runCheckOnce(lab, started, check, signal, settings);
  while (result.verdict === 'error' && transient?.test(result.reason) && earlier.length < TRANSIENT_RETRIES) {
    earlier.push(result);
    await new Promise((r) => setTimeout(r, 1000));
    result = await runCheckOnce(lab, started, check, signal, settings);
  }
  if (!earlier.length) return result;
  const notes = earlier.map((e, i) => ({
    host: 'harness',
    command: `attempt ${i + 1} of ${check.id} (retried: a transient error of ${started.driver.id})`,
    exitCode: 1,
    output: e.reason,
  }));
  const durationMs = [...earlier, result].reduce((t, r) => t + r.durationMs, 0);
  return {
    ...result,
    evidence: [...notes, ...result.evidence],
    metrics: { ...result.metrics, retriedAfter: earlier.map((e) => e.reason) },
    durationMs,
  };
}

async function runCheckOnce(
  lab: StartedLab,
  started: StartedDriver,
  check: Check,
  signal: AbortSignal,
  settings: CheckSettings,
): Promise<CheckResult> {
  const driver = started.driver;
  const unmet = unmetRequirement(check.requires, driver, lab);
  if (unmet) return skipped(driver, check, unmet);
  const t0 = Date.now();
  const ctx = new CheckContext(lab, started, signal, settings);
  let result: CheckResult;
  try {
    if (check.requires.outsidePeer) await outsidePeerServing(ctx);
    const outcome = await runStoppable(check, ctx);
    const timings = Object.keys(ctx.timings).length ? ctx.timings : undefined;
    result = {
      ...base(driver, check),
      ...outcome,
      evidence: ctx.evidence,
      ...(outcome.metrics || timings ? { metrics: { ...outcome.metrics, ...timings } } : {}),
    };
  } catch (e) {
    result = { ...base(driver, check), ...errorOf(e), evidence: ctx.evidence };
  }
  try {
    await withTimeout(ctx[Symbol.asyncDispose](), 60_000, `cleanup of ${check.id}`);
  } catch (e) {
    if (result.verdict === 'pass')
      result = { ...result, verdict: 'error', reason: `cleanup failed: ${(e as Error).message}` };
  }
  const deviation = result.verdict === 'fail' ? knownDeviation(driver, check.id) : undefined;
  return { ...result, durationMs: Date.now() - t0, ...(deviation ? { knownDeviation: deviation.why } : {}) };
}

export interface EngineOptions {
  lab: StartedLab;
  drivers: Driver[];
  checks: Check[];
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  /** Runs of each check (`run --repeat N`): one result each, flaky where they disagree. */
  repeat?: number;
  settings?: CheckSettings;
  /** Drivers side by side (`run --concurrency N`); 1 runs them, and their checks, one after another. */
  concurrency?: number;
}

/**
 * A driver's checks side by side when drivers are: two each while the pool of drivers is full. Four at
 * once for every driver was tried: under CPU load one run then saw a UDP packet cross between two of
 * Docker's bridge networks and another a probe exec come back empty, both in isolation/networks beside
 * three more of that driver's checks — since then a crossing or an error there is confirmed with the
 * hosts alone (readsWhole). So four only as drivers finish, for those still running: the run's tail
 * is one slow driver's chain of checks.
 */
const CHECKS_PER_DRIVER = 2;
const MOST_CHECKS_PER_DRIVER = 4;

/**
 * Every check on every driver. Drivers run side by side (up to `concurrency`, never two that
 * conflict); a driver's checks run in order, each holding its claims on the lab (lab-claims.ts), so
 * a check that reads the lab whole runs while nothing disturbs it. Results come back in driver
 * order, then check order, whatever the schedule; events arrive as results do.
 */
export async function runChecks({
  lab,
  drivers,
  checks,
  signal = new AbortController().signal,
  onEvent = () => undefined,
  repeat = 1,
  settings = {},
  concurrency: asked = 1,
}: EngineOptions): Promise<CheckResult[]> {
  const claims = new LabClaims();
  // a fault (an engine restarted, etcd stopped, a host cut off) reaches every driver on the lab, and
  // its effects outlast the check (a swarm re-forming): with faults in the run, one driver at a time
  const concurrency = checks.some((c) => c.injectsFaults) ? 1 : asked;
  const byDriver: CheckResult[][] = drivers.map(() => []);
  const shares =
    concurrency > 1
      ? new CheckShares(concurrency * CHECKS_PER_DRIVER, CHECKS_PER_DRIVER, MOST_CHECKS_PER_DRIVER)
      : undefined;
  await runDriversSideBySide(
    drivers,
    concurrency,
    signal,
    async (driver, index) => {
      const emit = (r: CheckResult) => {
        byDriver[index]!.push(r);
        onEvent({ type: 'result', result: r });
      };
      const sideBySide = concurrency > 1;
      await runDriver({
        lab,
        driver,
        checks,
        signal,
        onEvent,
        emit,
        repeat,
        settings,
        claims,
        shares,
        sideBySide,
        besideOtherDrivers: sideBySide && drivers.length > 1,
      });
    },
    (d) => checks.filter((c) => !unmetRequirement(c.requires, d, lab)).length,
    lab,
  );
  return byDriver.flat();
}

interface DriverRun {
  lab: StartedLab;
  driver: Driver;
  checks: Check[];
  signal: AbortSignal;
  onEvent: (event: EngineEvent) => void;
  emit: (r: CheckResult) => void;
  repeat: number;
  settings: CheckSettings;
  claims: LabClaims;
  /** This driver's share of the checks at once (undefined: one at a time). */
  shares: CheckShares | undefined;
  /** Whether other work may run beside this driver's checks (concurrency above 1). */
  sideBySide: boolean;
  /** Whether other drivers' checks may (startOrder). */
  besideOtherDrivers: boolean;
}

/** One driver (on hosts of its own where it restarts engines: driver-conflicts.ts). Never throws. */
async function runDriver(o: DriverRun) {
  if (!getsHostsOfItsOwn(o.driver, o.lab) || o.driver.unsupportedReason(o.lab)) return runDriverOn(o);
  let own: StartedLab;
  try {
    own = await o.lab.hostsOfItsOwn(o.lab.hostCount);
  } catch (e) {
    if (o.signal.aborted) return;
    const message = `hosts of its own for ${o.driver.id}: ${(e as Error).message}`;
    o.onEvent({ type: 'driver-failed', driver: o.driver.id, message });
    for (const c of o.checks)
      o.emit({ ...base(o.driver, c), verdict: 'error', component: 'lab', reason: message.split('\n')[0]! });
    return;
  }
  try {
    await runDriverOn({ ...o, lab: own });
  } finally {
    await own.down().catch(() => undefined);
  }
}

/**
 * The order a driver's checks are started in: beside other drivers, the ones that need part of the lab
 * to themselves (`exclusive`) first. Such a claim waits until every check holding that part has ended
 * and holds up every check asked after it; at the start of the run the lab holds least (drivers
 * starting, their first checks), later it holds the most — the reference plugins' fuzzing, last in the
 * catalogue, waited 17 s there and held the lab up all that time. Results still come in check order.
 * A driver alone (certify) keeps the catalogue's order: with nobody to hold up, fuzzing first only made
 * its CreateNetwork the plugin's first call, cold, and under load that once took over the 5 s bound.
 */
export function startOrder(checks: readonly Check[], besideOtherDrivers: boolean): number[] {
  const indices = checks.map((_, i) => i);
  if (!besideOtherDrivers) return indices;
  const alone = (i: number) => (checks[i]!.exclusive?.length ? 0 : 1);
  return indices.sort((a, b) => alone(a) - alone(b) || a - b);
}

/** One driver on `lab`: start, its checks (startOrder), stop. Never throws. */
async function runDriverOn(o: DriverRun) {
  const { lab, driver, checks, signal, onEvent, emit, repeat, settings, claims, shares, sideBySide } = o;
  const unsupported = driver.unsupportedReason(lab);
  if (unsupported) {
    for (const c of checks) emit(skipped(driver, c, { reason: unsupported, kind: 'not-run' }));
    return;
  }
  onEvent({ type: 'driver-start', driver: driver.id });
  const t0 = Date.now();
  // a driver on hosts of its own claims their state apart from the lab's
  const hostsClaimed = lab.temporary ? lab.hosts.map((h) => h.name).join(',') : undefined;
  const shared = claimsFor(driver, [], hostsClaimed);
  let started: StartedDriver;
  /** One check, `repeat` times; a skip needs nothing of the lab and waits for no claim. */
  const runRepeated = async (check: Check): Promise<CheckResult | undefined> => {
    const unmet = unmetRequirement(check.requires, driver, lab);
    if (unmet) return skipped(driver, check, unmet);
    const runs: CheckResult[] = [];
    for (let i = 0; i < repeat && !signal.aborted; i++) {
      const r = await runClaimed(check).catch(() => undefined);
      if (r) runs.push(r);
    }
    return runs.length ? combineRepeats(runs) : undefined;
  };
  const claimed = async (check: Check, alone: boolean) => {
    const exclusive = [...new Set([...(check.exclusive ?? []), ...(alone ? (check.readsWhole ?? []) : [])])];
    const asked = Date.now();
    return claims.with(
      claimsFor(driver, exclusive, hostsClaimed),
      async () => {
        const r = await runCheck(lab, started, check, signal, alone ? settings : { ...settings, othersBeside: true });
        // time spent waiting for other drivers' checks to let go of the lab (scheduling, not the driver)
        const waited = Date.now() - asked - r.durationMs;
        return waited >= 1000 ? { ...r, metrics: { ...r.metrics, waitedForLabMs: waited } } : r;
      },
      signal,
    );
  };
  /**
   * A check that reads part of the lab whole runs beside the others first: what others do meanwhile
   * can only add to what it sees (a foreign link, key or packet), so a pass stands. A fail or an
   * error is run again alone, and that verdict is the one given (the first attempt stays in the
   * evidence): no fail is ever the schedule's.
   */
  const runClaimed = async (check: Check): Promise<CheckResult> => {
    if (!check.readsWhole?.length || !sideBySide) return claimed(check, true);
    const first = await claimed(check, false);
    if (first.verdict === 'pass' || first.verdict === 'skip' || signal.aborted) return first;
    const alone = await claimed(check, true);
    const note = {
      host: 'harness',
      command: `${check.id} beside other checks (not counted: run again alone, the verdict below)`,
      exitCode: 1,
      output: `${first.verdict}: ${first.reason}`,
    };
    return {
      ...alone,
      evidence: [note, ...alone.evidence],
      metrics: {
        ...alone.metrics,
        rerunAlone: { first: first.verdict, reason: first.reason, observed: first.observed },
      },
      durationMs: first.durationMs + alone.durationMs,
    };
  };
  try {
    started = await claims.with(shared, () => withTimeout(driver.start(lab), 120_000, `starting ${driver.id}`), signal);
  } catch (e) {
    if (signal.aborted) return;
    // the whole story once (a plugin's log tail …), and each check's reason its first line
    const message = (e as Error).message;
    onEvent({ type: 'driver-failed', driver: driver.id, message });
    const evidence = [{ host: 'harness', command: `start ${driver.id}`, exitCode: 1, output: message }];
    for (const c of checks)
      emit({
        ...base(driver, c),
        verdict: 'error',
        component: 'driver start',
        reason: `driver did not start: ${message.split('\n')[0]}`,
        evidence,
      });
    return;
  }
  onEvent({ type: 'driver-ready', driver: driver.id, ms: Date.now() - t0 });
  // a driver's checks side by side too (each makes its own networks and sandboxes); results are
  // emitted in check order as soon as all before them are in
  const done: (CheckResult | undefined)[] = checks.map(() => undefined);
  let emitted = 0;
  const flush = () => {
    while (emitted < checks.length && done[emitted]) emit(done[emitted++]!);
  };
  const limit = shares ? shares.join() : pLimit(1);
  try {
    await Promise.all(
      startOrder(checks, o.besideOtherDrivers).map((i) =>
        limit(async () => {
          if (signal.aborted) return;
          done[i] = await runRepeated(checks[i]!);
          flush();
        }),
      ),
    );
  } finally {
    shares?.leave(limit);
    // results after a gap left by Ctrl-C still count
    for (const r of done.slice(emitted)) if (r) emit(r);
    // stopping makes and removes things on the hosts too; on Ctrl-C it must not wait for a claim
    const release = signal.aborted ? () => undefined : await claims.acquire(shared).catch(() => () => undefined);
    // what a driver could not undo is said here; what it left behind is the leak audit's to find
    const stopError = await started.stop().then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    release();
    onEvent({ type: 'driver-done', driver: driver.id, ms: Date.now() - t0, ...(stopError ? { stopError } : {}) });
  }
}
