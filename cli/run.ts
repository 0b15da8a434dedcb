import type { Driver } from '../drivers/contract.ts';
import { ManifestError } from '../drivers/manifest/manifest.ts';
import { allDrivers, remotePluginNames, resolveDrivers, UnknownDriverError } from '../drivers/registry.ts';
import { labShape, type LabKind } from '../lab/lab.ts';
import { loadLabFile } from '../lab/remote/lab-file.ts';
import { sandboxTimings } from '../reports/console.ts';
import { selectChecks } from '../suites/catalog.ts';
import { defaultConcurrency } from '../suites/framework/driver-pool.ts';
import { runChecks } from '../suites/framework/engine.ts';
import { ConfigError, type RunConfig } from './config.ts';
import { exitCodeOf, labSession } from './session.ts';

export { harnessVersion } from './session.ts';

/** Resolves driver ids before anything is brought up, so a typo costs nothing. */
export function resolveDriverIds(ids: string[] | undefined): Driver[] | undefined {
  try {
    return ids ? resolveDrivers(ids) : undefined;
  } catch (e) {
    if (e instanceof UnknownDriverError) throw new ConfigError(`${e.message}\nSee 'cnm-harness list'.`);
    if (e instanceof ManifestError) throw new ConfigError(e.message);
    throw e;
  }
}

/** Drivers asked for by name that cannot run on the lab are refused before it is made (exit 2). */
export function refuseUnsupported(drivers: Driver[], kind: LabKind, hosts: number): void {
  const shape = labShape({ kind, hosts });
  const refused = drivers.map((d) => ({ d, why: d.unsupportedReason(shape) })).filter((x) => x.why !== undefined);
  if (refused.length)
    throw new ConfigError(
      refused.map((x) => `${x.d.id} cannot run on --lab ${kind} with ${hosts} host(s): ${x.why}`).join('\n'),
    );
}

/** A remote lab has as many hosts as its lab file lists (read and checked here: a bad file costs nothing). */
export async function withLabFileHosts<T extends { lab: LabKind; hosts: number; labFile?: string }>(
  config: T,
): Promise<T> {
  if (config.lab !== 'remote' || !config.labFile) return config;
  const { file } = await loadLabFile(config.labFile);
  return { ...config, hosts: file.hosts.length };
}

/**
 * `cnm-harness run`: lab up, every check on every driver, lab down, leak audit, reports.
 * Returns the exit code: 0 all passed, 1 a check failed or errored, 130 interrupted.
 */
export async function runCommand(given: RunConfig, log: (line: string) => void = console.log): Promise<number> {
  const config = await withLabFileHosts(given);
  const requested = resolveDriverIds(config.drivers);
  if (requested) refuseUnsupported(requested, config.lab, config.hosts);
  const checks = selectChecks(config.checks);
  if (checks.length === 0) throw new ConfigError(`--checks ${config.checks} matches no check. See 'cnm-harness list'.`);
  const outcome = await labSession(
    {
      name: 'run',
      lab: config.lab,
      hosts: config.hosts,
      ...(config.labFile ? { labFile: config.labFile, useExistingSwarm: config.useExistingSwarm ?? false } : {}),
      report: config.report,
      log,
      plugins: remotePluginNames(requested ?? allDrivers()),
    },
    async ({ lab, signal, push }) => {
      const drivers = requested ?? allDrivers().filter((d) => !d.unsupportedReason(lab));
      // real hosts are shared and reached more slowly: there drivers go one after another unless asked
      const concurrency = config.concurrency ?? (lab.kind === 'remote' ? 1 : defaultConcurrency());
      log(
        `drivers: ${drivers.map((d) => d.id).join(', ')}; ${checks.length} check(s); ` +
          (concurrency > 1 ? `up to ${concurrency} drivers side by side` : 'one driver at a time'),
      );
      await runChecks({
        concurrency,
        lab,
        drivers,
        checks,
        signal,
        repeat: config.repeat ?? 1,
        settings: { fuzzSeed: config.fuzzSeed, fuzzBudget: config.fuzzBudget },
        onEvent: (e) => {
          if (e.type === 'result') push(e.result, e.result.skip === 'not-applicable');
          else if (e.type === 'driver-start') log(`starting ${e.driver} …`);
          else if (e.type === 'driver-done')
            log(
              `${e.driver} done in ${(e.ms / 1000).toFixed(1)}s${e.stopError ? `; stopping it: ${e.stopError}` : ''}`,
            );
          else if (e.type === 'driver-failed') log(`${e.driver} did not start; its checks are errors:\n${e.message}`);
        },
      });
    },
  );
  const timings = sandboxTimings(outcome.file.results);
  if (timings) log(timings);
  const flaky = outcome.file.results.filter((r) => r.repeat?.flaky);
  if (flaky.length)
    log(
      `${flaky.length} flaky check(s): ` +
        flaky.map((r) => `${r.driver} ${r.check} (passed ${r.repeat!.passes}/${r.repeat!.runs})`).join(', '),
    );
  const known = outcome.file.results.filter((r) => r.knownDeviation).length;
  if (known)
    log(`${known} fail(s) are known deviations of the driver (explained in results.json; they do not fail the run)`);
  log(`report: ${outcome.dir}/report.html (results.json, junit.xml beside it)`);
  return exitCodeOf(outcome);
}
