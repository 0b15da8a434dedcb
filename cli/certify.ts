import { writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { resolve } from 'node:path';
import type { Driver } from '../drivers/contract.ts';
import { loadManifest, manifestDriverId, ManifestError, type LoadedManifest } from '../drivers/manifest/manifest.ts';
import { driverFromManifest, remotePluginNames } from '../drivers/registry.ts';
import { labShape, type LabKind } from '../lab/lab.ts';
import type { Ratio } from '../lab/stats.ts';
import { fileDigest, type Certificate } from '../reports/certificate.ts';
import { writeHtmlReport } from '../reports/write-report.ts';
import { CHECKS, DEFAULT_CHECKS } from '../suites/catalog.ts';
import { defaultConcurrency } from '../suites/framework/driver-pool.ts';
import { runChecks } from '../suites/framework/engine.ts';
import type { CheckResult, Evidence } from '../suites/framework/result.ts';
import { certificatePasses, defaultClaims, judgeLevels, type Level } from '../suites/levels.ts';
import { runBench, type RepeatPlan } from '../suites/perf/bench.ts';
import type { CeilingName } from '../suites/perf/ceilings.ts';
import { DEFAULT_MAX_STOLEN_PERCENT } from './bench.ts';
import { ConfigError } from './config.ts';
import { harnessVersion, labSession } from './session.ts';

/** Six short repeats: the fewest whose [min, max] covers the median with 95% (informational level). */
const CERTIFY_REPEATS: RepeatPlan = { min: 6, max: 6, precision: 0.1 };

export interface CertifyConfig {
  manifest: string;
  hosts: number;
  lab: LabKind;
  report: string;
  performance: boolean;
  fuzzSeed?: number;
  /** protocol/fuzz's requests for the protocol level (default CERTIFY_FUZZ_BUDGET). */
  fuzzBudget?: number;
}

/** The protocol level is demonstrated with ten thousand generated requests. */
const CERTIFY_FUZZ_BUDGET = 10_000;

function ceilingsFor(driver: Driver): CeilingName[] {
  const mode = driver.profile.mode;
  return mode === 'overlay' ? ['vxlan'] : mode === 'host' ? ['loopback', 'veth'] : ['veth'];
}

async function binaryDigest(loaded: LoadedManifest): Promise<Certificate['driver']['binary']> {
  const path = loaded.manifest.remote?.binary ?? loaded.manifest.cni?.binary;
  if (!path) return undefined;
  const abs = resolve(loaded.dir, path);
  try {
    return { path: abs, sha256: await fileDigest(abs) };
  } catch {
    return undefined;
  }
}

/**
 * `cnm-harness certify <manifest>`: every check on the manifest's driver (those that do not apply
 * skip), a short bench for the informational Performance level, then certificate.json beside
 * results.json, and the certificate in report.html. Exit 0 when every claimed level passes.
 */
export async function certifyCommand(
  config: CertifyConfig,
  log: (line: string) => void = console.log,
): Promise<number> {
  let loaded: LoadedManifest;
  let driver: Driver;
  try {
    loaded = loadManifest(config.manifest);
    driver = driverFromManifest(loaded);
  } catch (e) {
    if (e instanceof ManifestError) throw new ConfigError(e.message);
    throw e;
  }
  // refused before a lab is made for it: nothing to bring up, nothing to audit
  const unsupported = driver.unsupportedReason(labShape({ kind: config.lab, hosts: config.hosts }));
  if (unsupported)
    throw new ConfigError(
      `${driver.id} cannot run on --lab ${config.lab} with ${config.hosts} host(s): ${unsupported}`,
    );
  const claimed: Level[] = loaded.manifest.levels ?? defaultClaims(driver.profile);
  let ratios: Record<string, Ratio> = {};
  log(`certify ${driver.id} (${loaded.path}); claimed levels: ${claimed.join(', ')}`);
  const outcome = await labSession(
    {
      name: 'certify',
      lab: config.lab,
      hosts: config.hosts,
      report: config.report,
      log,
      plugins: remotePluginNames([driver]),
    },
    async ({ lab, signal, push }) => {
      let startFailure: string | undefined;
      await runChecks({
        lab,
        drivers: [driver],
        // two of its checks at once, as `run` does
        concurrency: defaultConcurrency(),
        // the fault injecting checks only when the manifest claims the level they make up
        checks: claimed.includes('resilience') ? CHECKS : DEFAULT_CHECKS,
        signal,
        settings: { fuzzSeed: config.fuzzSeed, fuzzBudget: config.fuzzBudget ?? CERTIFY_FUZZ_BUDGET },
        onEvent: (e) => {
          if (e.type === 'result') push(e.result, e.result.verdict === 'skip');
          else if (e.type === 'driver-start') log(`starting ${e.driver} …`);
          else if (e.type === 'driver-failed') {
            startFailure = e.message.split('\n')[0];
            log(`${e.driver} did not start; its checks are errors:\n${e.message}`);
          } else if (e.type === 'driver-done' && e.stopError) log(`stopping ${e.driver}: ${e.stopError}`);
        },
      });
      if (config.performance && claimed.includes('performance') && !signal.aborted) {
        // whatever goes wrong, the level says so and the certificate is still written
        const benchError = (reason: string, evidence: Evidence[] = []): CheckResult => ({
          driver: driver.id,
          mode: driver.profile.mode,
          check: 'throughput/bench',
          verdict: 'error',
          component: 'bench',
          reason,
          expected: null,
          observed: null,
          evidence,
          durationMs: 0,
        });
        if (startFailure) {
          push(benchError(`not measured: the driver did not start (${startFailure})`));
          return;
        }
        log("performance (informational): a short bench beside the machine's ceiling …");
        const out = await runBench({
          lab,
          drivers: [driver],
          ceilings: ceilingsFor(driver),
          repeats: CERTIFY_REPEATS,
          maxStolenPercent: DEFAULT_MAX_STOLEN_PERCENT,
          durationS: 1,
          udpRate: 1e9,
          pingCount: 50,
          signal,
          onProgress: () => undefined,
        }).catch((e: unknown) => {
          const message = e instanceof Error ? e.message : String(e);
          log(`the bench stopped: ${message}`);
          push(
            benchError(`the bench stopped: ${message.split('\n')[0]}`, [
              {
                host: 'harness',
                command: 'bench',
                exitCode: 1,
                output: e instanceof Error ? (e.stack ?? message) : message,
              },
            ]),
          );
          return undefined;
        });
        if (!out) return;
        for (const r of out.results) push(r, true);
        ratios = out.ratios;
      }
    },
  );
  const resultsPath = `${outcome.dir}/results.json`;
  const levels = judgeLevels(outcome.file.results, manifestDriverId(loaded.manifest), claimed);
  const binary = await binaryDigest(loaded);
  const certificate: Certificate = {
    kind: 'cnm-harness certificate',
    version: 1,
    issuedAt: new Date().toISOString(),
    harnessVersion: await harnessVersion(),
    driver: {
      id: driver.id,
      name: loaded.manifest.name,
      kind: loaded.manifest.kind,
      manifest: { path: config.manifest, sha256: loaded.sha256 },
      ...(binary ? { binary } : {}),
    },
    environment: {
      kernel: release(),
      node: process.version,
      engines: outcome.file.run.environment.engines,
      lab: { kind: config.lab, hosts: outcome.file.run.lab.hosts.length },
    },
    claimed,
    levels,
    ...(Object.keys(ratios).length ? { performance: ratios } : {}),
    verdict: !outcome.interrupted && certificatePasses(levels) ? 'pass' : 'fail',
    results: { file: 'results.json', runId: outcome.file.run.id, sha256: await fileDigest(resultsPath) },
  };
  await writeFile(`${outcome.dir}/certificate.json`, `${JSON.stringify(certificate, null, 2)}\n`);
  await writeHtmlReport(outcome.file, `${outcome.dir}/report.html`, undefined, certificate);
  log('\nlevel        claimed  verdict           pass fail error skip');
  for (const l of levels) {
    const counts = [l.counts.pass, l.counts.fail, l.counts.error, l.counts.skip].map((n, i) =>
      String(n).padStart(i === 2 ? 5 : 4),
    );
    log(`${l.name.padEnd(12)} ${(l.claimed ? 'yes' : 'no').padEnd(8)} ${l.verdict.padEnd(17)} ${counts.join(' ')}`);
  }
  for (const l of levels.filter((x) => x.claimed && x.problems.length))
    for (const p of l.problems.slice(0, 5)) log(`  ${l.name}: ${p}`);
  for (const [k, v] of Object.entries(ratios))
    log(`  performance: ${k} ${v.value.toFixed(2)} [${v.ci95[0].toFixed(2)}, ${v.ci95[1].toFixed(2)}]`);
  log(
    `\ncertificate: ${outcome.dir}/certificate.json — ${certificate.verdict.toUpperCase()} (verify with: ` +
      `cnm-harness verify ${outcome.dir}/certificate.json ${resultsPath})`,
  );
  if (outcome.interrupted) return 130;
  return certificate.verdict === 'pass' ? 0 : 1;
}
