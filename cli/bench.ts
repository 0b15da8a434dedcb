import { withinOfMedian } from '../lab/stats.ts';
import { benchTable } from '../reports/bench-table.ts';
import { MEASURES, runBench, type MeasureId, type RepeatPlan } from '../suites/perf/bench.ts';
import { CEILINGS, type CeilingName } from '../suites/perf/ceilings.ts';
import { ConfigError } from './config.ts';
import { hostsOption, integerOption } from './options.ts';
import { refuseUnsupported, resolveDriverIds, withLabFileHosts } from './run.ts';
import { exitCodeOf, labSession } from './session.ts';

export const DEFAULT_BENCH_DRIVERS = ['ref-bridge', 'ref-overlay', 'docker-bridge', 'docker-overlay', 'docker-host'];

/**
 * `--quick`, the bench a driver's CI runs: the headline figures (TCP single stream, round-trip time)
 * of the reference and Docker's bridge and overlay beside the veth and VXLAN ceilings. Six rounds
 * are the fewest whose [min, max] covers a median with 95%; a TCP figure still wider than ±10% gets
 * up to twelve samples.
 */
export const QUICK = {
  drivers: ['ref-bridge', 'ref-overlay', 'docker-bridge', 'docker-overlay'],
  ceilings: ['veth', 'vxlan'] as CeilingName[],
  measures: ['tcp-single', 'rtt'] as MeasureId[],
  repeats: { min: 6, max: 12, precision: 0.1 },
  durationS: 1,
  pingCount: 50,
};

export interface BenchConfig {
  drivers: string[];
  ceilings: CeilingName[];
  hosts: number;
  lab: 'netns' | 'remote';
  /** --lab remote: the lab file. */
  labFile?: string;
  repeats: RepeatPlan;
  durationS: number;
  udpRate: number;
  maxStolenPercent: number;
  report: string;
  measures: MeasureId[];
  pingCount: number;
  quick: boolean;
}

/**
 * The default: 10 interleaved rounds of every case, then rounds of only the TCP figures whose 95%
 * interval is still wider than ±10% of its median, until none is, at most 60 samples each. 10
 * rounds let the median's interval shed one stray sample at either end. The 4-stream figures over
 * VXLAN swing most on a 2-vCPU machine — raw VXLAN's spread evenly from 10 to 20 Gbit/s, with how
 * much of each flow the kernel happened to handle on the other CPU — and still reached only
 * −8%/+14% after 40 samples; an extra sample of one figure costs about 4 s, not a 100 s round.
 */
export const DEFAULT_REPEATS: RepeatPlan = { min: 10, max: 60, precision: 0.1 };

/** A sample taken while the hypervisor stole more than 5% of the CPU is measured again. */
export const DEFAULT_MAX_STOLEN_PERCENT = 5;

/** `--repeats auto` (or nothing): the default plan; `--repeats N`: exactly N; `--precision P` (%). */
function repeatPlan(flags: Record<string, unknown>, auto: RepeatPlan): RepeatPlan {
  const precision =
    flags.precision === undefined ? auto.precision : integerOption('precision', flags.precision, 1, 100) / 100;
  if (flags.repeats === undefined || flags.repeats === 'auto') return { ...auto, precision };
  const n = integerOption('repeats', flags.repeats, 1, 100);
  return { min: n, max: n, precision };
}

/** On remote hosts: the drivers that run there (Docker's), and no ceilings (this machine's are not the hosts'). */
export const REMOTE_BENCH_DRIVERS = ['docker-bridge', 'docker-overlay'];

function benchLab(flags: Record<string, unknown>): Pick<BenchConfig, 'lab' | 'labFile'> {
  const lab = flags.lab ?? 'netns';
  if (lab !== 'netns' && lab !== 'remote')
    throw new ConfigError(`--lab ${JSON.stringify(lab)}: the bench runs on netns or remote`);
  if (lab === 'remote' && typeof flags.labFile !== 'string')
    throw new ConfigError('--lab remote needs --lab-file FILE');
  if (lab !== 'remote' && flags.labFile !== undefined) throw new ConfigError('--lab-file needs --lab remote');
  if (lab === 'remote' && flags.hosts !== undefined)
    throw new ConfigError('--lab remote has the hosts its lab file lists; leave out --hosts');
  return lab === 'remote' ? { lab, labFile: flags.labFile as string } : { lab };
}

export function resolveBenchConfig(flags: Record<string, unknown>): BenchConfig {
  const quick = flags.quick === true;
  const where = benchLab(flags);
  const remote = where.lab === 'remote';
  const drivers =
    typeof flags.drivers === 'string'
      ? flags.drivers
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : remote
        ? REMOTE_BENCH_DRIVERS
        : quick
          ? QUICK.drivers
          : DEFAULT_BENCH_DRIVERS;
  resolveDriverIds(drivers);
  if (drivers.includes('docker-overlay') && drivers.includes('docker-overlay-kv')) {
    throw new ConfigError(
      'docker-overlay (swarm) and docker-overlay-kv (cluster store) cannot run at once: Docker refuses swarm mode ' +
        'with a cluster store. Bench them in separate runs.',
    );
  }
  if (remote && typeof flags.ceilings === 'string')
    throw new ConfigError(
      "--ceilings with --lab remote: the ceilings are measured in this machine's namespaces, not on the remote " +
        'hosts; leave it out',
    );
  const ceilings = (
    remote
      ? []
      : typeof flags.ceilings === 'string'
        ? flags.ceilings.split(',')
        : quick
          ? QUICK.ceilings
          : Object.keys(CEILINGS)
  )
    .map((c) => c.trim())
    .filter(Boolean);
  const unknown = ceilings.filter((c) => !(c in CEILINGS));
  if (unknown.length)
    throw new ConfigError(`unknown ceiling(s): ${unknown.join(', ')}. Known: ${Object.keys(CEILINGS).join(', ')}`);
  const rate = typeof flags.udpRate === 'string' ? flags.udpRate : '1G';
  const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(rate);
  if (!m) throw new ConfigError(`--udp-rate ${rate}: expected a rate like 500M or 1G (bits per second)`);
  const udpRate = Number(m[1]) * ({ '': 1, K: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[m[2]!.toUpperCase()]!;
  return {
    drivers,
    ceilings: ceilings as CeilingName[],
    ...where,
    hosts: hostsOption(flags.hosts ?? 2),
    repeats: repeatPlan(flags, quick ? QUICK.repeats : DEFAULT_REPEATS),
    durationS: integerOption('duration', flags.duration ?? (quick ? QUICK.durationS : 2), 1, 600),
    udpRate,
    maxStolenPercent:
      flags.maxStolen === undefined ? DEFAULT_MAX_STOLEN_PERCENT : integerOption('max-stolen', flags.maxStolen, 0, 100),
    report: typeof flags.report === 'string' ? flags.report : './cnm-bench',
    measures: quick ? QUICK.measures : MEASURES,
    pingCount: quick ? QUICK.pingCount : 200,
    quick,
  };
}

/** `cnm-harness bench`: throughput and latency for each driver beside the machine's ceilings. */
export async function benchCommand(config: BenchConfig, log: (line: string) => void = console.log): Promise<number> {
  const located = await withLabFileHosts(config);
  const drivers = resolveDriverIds(config.drivers)!;
  refuseUnsupported(drivers, config.lab, located.hosts);
  const pairCount = config.ceilings.length + drivers.length * 1.5;
  // per pair and round: each iperf3 figure a run plus its set-up, and the pings (200 take about 1.5 s)
  const iperfRuns = config.measures.filter((m) => m !== 'rtt').length;
  const pings = config.measures.includes('rtt') ? config.pingCount * 0.0075 : 0;
  const perRound = pairCount * (iperfRuns * (config.durationS + 0.4) + pings);
  // a round of TCP figures alone: one per TCP measure and pair, each a run plus its set-up (measured ~1.5 s)
  const tcpMeasures = config.measures.filter((m) => m.startsWith('tcp')).length;
  const perTcpRound = pairCount * tcpMeasures * (config.durationS + 1.5);
  const { min, max, precision } = config.repeats;
  const minutes = (s: number) => Math.ceil(s / 60);
  log(
    max > min
      ? `bench: ${min} interleaved rounds of every case × ${config.durationS}s, then the TCP figures whose 95% ` +
          `interval is still wider than ±${Math.round(precision * 100)}% of its median, up to ${max} samples ` +
          `each; expect ${minutes(perRound * min)} min, at most ${minutes(perRound * min + perTcpRound * (max - min))}`
      : `bench: ${min} interleaved round(s) of every case × ${config.durationS}s; expect ` +
          `roughly ${minutes(perRound * min)} min`,
  );
  const outcome = await labSession(
    {
      name: 'bench',
      lab: config.lab,
      hosts: located.hosts,
      ...(config.labFile ? { labFile: config.labFile } : {}),
      report: config.report,
      log,
    },
    async ({ lab, signal, push }) => {
      const out = await runBench({
        lab,
        drivers,
        ceilings: config.ceilings,
        repeats: config.repeats,
        durationS: config.durationS,
        udpRate: config.udpRate,
        maxStolenPercent: config.maxStolenPercent,
        measures: config.measures,
        pingCount: config.pingCount,
        signal,
        onProgress: log,
      });
      for (const r of out.results) push(r, true);
      log(`\n${benchTable(out.results)}`);
      const wideRatios = Object.entries(out.ratios).filter(
        ([, r]) => !withinOfMedian({ median: r.value, ci95: r.ci95 }, precision),
      );
      log(
        wideRatios.length
          ? `ratios wider than ±${Math.round(precision * 100)}%: ` +
              wideRatios
                .map(([k, r]) => `${k} ${r.value.toFixed(2)} [${r.ci95[0].toFixed(2)}, ${r.ci95[1].toFixed(2)}]`)
                .join('; ')
          : `every ratio's 95% interval within ±${Math.round(precision * 100)}% of its value`,
      );
      if (max > min) {
        log(
          out.repeats.precise
            ? `${out.repeats.full} rounds of every case, ${out.repeats.done} samples for the widest: every TCP ` +
                `figure's 95% interval within ±${Math.round(precision * 100)}% of its median`
            : `${out.repeats.full} rounds of every case, ${out.repeats.done} samples for the widest (the most asked ` +
                `for): still wider than ±${Math.round(precision * 100)}%: ${out.repeats.wide.join('; ')} — the ` +
                `machine was noisy; --repeats N runs N rounds of everything`,
        );
      }
    },
  );
  log(`report: ${outcome.dir}/report.html (results.json beside it)`);
  return exitCodeOf(outcome);
}
