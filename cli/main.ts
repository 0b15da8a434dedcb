import { Command, CommanderError, Option } from 'commander';
import Dockerode from 'dockerode';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { ServeOptions } from '../drivers/reference/plugin/serve.ts';
import { allDrivers } from '../drivers/registry.ts';
import { InputError } from '../lab/input-error.ts';
import { LAB_KINDS, StartedLab } from '../lab/lab.ts';
import { buildProbeArchive, ensureProbeImage } from '../lab/probe-image.ts';
import { cleanDeadRuns, LOCAL_DOCKER_SOCKET, reapRun } from '../lab/reaper.ts';
import { isProcessAlive, readRunStates } from '../lab/run-state.ts';
import { compareRuns, describeComparison } from '../reports/compare.ts';
import { readResults, writeHtmlReport } from '../reports/write-report.ts';
import { CHECKS } from '../suites/catalog.ts';
import { defaultConcurrency } from '../suites/framework/driver-pool.ts';
import { benchCommand, resolveBenchConfig } from './bench.ts';
import { ConfigError, resolveRunConfig } from './config.ts';
import { hostsOption, integerOption } from './options.ts';
import { harnessVersion, runCommand } from './run.ts';

const program = new Command('cnm-harness')
  .description(
    'Conformance and performance test harness for Docker CNM network drivers.\nRuns real checks on real ' +
      'namespaces, engines and packets; must run as root.',
  )
  .version(await harnessVersion())
  .exitOverride();

program
  .command('run')
  .description('bring up a lab, run the checks on the drivers, audit for leaks, write results.json and junit.xml')
  .option(
    '--drivers <ids>',
    'comma-separated driver ids (default: every registered driver the lab can host; see `list`)',
  )
  .option('--hosts <n>', 'number of simulated Docker hosts in the netns lab (default 2)')
  .addOption(
    new Option(
      '--lab <kind>',
      "netns: simulated hosts on this machine; local: the machine's own engine (one host); remote: real Docker " +
        'hosts over ssh:// or tcp:// with TLS, listed in --lab-file',
    ).choices([...LAB_KINDS]),
  )
  .option(
    '--lab-file <file>',
    'with --lab remote: the hosts and how to reach them (fixtures/schemas/lab-file.schema.json)',
  )
  .option(
    '--use-existing-swarm',
    'with --lab remote: hosts already in a swarm are used for swarm overlay, never changed',
  )
  .option('--checks <patterns>', 'comma-separated check ids or patterns, e.g. isolation,connectivity/same-*')
  .option('--report <dir>', 'where results.json and junit.xml go (default ./cnm-report)')
  .option('--repeat <n>', 'run each check N times; one that both passes and fails is marked flaky (with its pass rate)')
  .option(
    '--concurrency <n>',
    `drivers run side by side, never two that conflict (default ${defaultConcurrency()}: from this machine's ` +
      'cores and memory); 1 runs them one after another',
  )
  .option('--fuzz-seed <n>', 'protocol/fuzz: the seed (a run prints its seed; the same seed sends the same requests)')
  .option('--fuzz-budget <n>', 'protocol/fuzz: how many generated requests (default 1000; certify sends 10000)')
  .option('--config <file>', 'JSON config file with the same keys (flags and CNM_HARNESS_* variables win)')
  .addHelpText(
    'after',
    '\nExit status: 0 all checks passed; 1 a check failed or errored (or the leak audit found something); 2 usage ' +
      'or configuration error; 130 interrupted (everything is still cleaned up).',
  )
  .action(async (flags: Record<string, unknown>) => {
    process.exitCode = await runCommand(resolveRunConfig(flags));
  });

program
  .command('bench')
  .description(
    'measure throughput (iperf3: TCP single and 4 streams, UDP at a fixed rate) and round-trip latency per ' +
      "driver, beside the machine's ceilings (loopback, raw veth, raw VXLAN), with 95% intervals and ratios",
  )
  .option(
    '--drivers <ids>',
    'comma-separated driver ids (default: ref-bridge,ref-overlay,docker-bridge,docker-overlay,docker-host)',
  )
  .option(
    '--ceilings <names>',
    'comma-separated ceilings: loopback,veth,vxlan,vxlan-lab (vxlan over the lab underlay switch, the path ' +
      'overlays take across hosts) (default: all)',
  )
  .option('--hosts <n>', 'number of lab hosts (default 2; cross-host cases need 2)')
  .addOption(
    new Option('--lab <kind>', 'netns (default): simulated hosts here; remote: the hosts of --lab-file').choices([
      'netns',
      'remote',
    ]),
  )
  .option('--lab-file <file>', 'with --lab remote: the hosts and how to reach them (Docker drivers, no ceilings)')
  .option(
    '--repeats <n|auto>',
    'interleaved rounds of every case: a number N (exactly N rounds), or auto (default): 10 rounds, then rounds ' +
      'of only the TCP figures whose 95% interval is still wider than --precision of its median, up to 60 samples each',
  )
  .option(
    '--max-stolen <percent>',
    'measure a sample again (up to 3 times) when the hypervisor stole more than this share of the CPU meanwhile ' +
      '(default 5; 100 = never)',
  )
  .option(
    '--precision <percent>',
    'for --repeats auto: how close to its median each TCP interval must come (default 10)',
  )
  .option('--duration <s>', 'seconds per iperf3 run (default 2)')
  .option('--udp-rate <rate>', 'offered UDP load, e.g. 500M or 1G (default 1G)')
  .option(
    '--quick',
    'the CI bench: TCP single stream and round-trip time only, for ref-bridge, ref-overlay, docker-bridge and ' +
      'docker-overlay beside the veth and VXLAN ceilings, 6 rounds of 1 s (up to 12 samples for a wide TCP figure); ' +
      'about 5 minutes. --drivers, --ceilings, --repeats and --duration still apply',
  )
  .option('--report <dir>', 'where results.json goes (default ./cnm-bench)')
  .addHelpText(
    'after',
    '\nFigures are measured, not judged: the exit status is 0 unless a measurement errored (1), the options are ' +
      'wrong (2) or the bench was interrupted (130).',
  )
  .action(async (flags: Record<string, unknown>) => {
    process.exitCode = await benchCommand(resolveBenchConfig(flags));
  });

program
  .command('report')
  .description(
    'write report.html from a results.json; or `report compare BASELINE CURRENT` for new failures, fixes and ' +
      'performance changes',
  )
  .argument('<args...>', '<results.json>  |  compare <baseline/results.json> <current/results.json>')
  .option('--out <file>', 'where the HTML goes (default: report.html beside the (current) results.json)')
  .action(async (args: string[], flags: { out?: string }) => {
    if (args[0] === 'compare') {
      if (args.length !== 3)
        throw new ConfigError(
          'usage: cnm-harness report compare <baseline/results.json> <current/results.json> [--out file]',
        );
      const [baseline, current] = [await readResults(args[1]!), await readResults(args[2]!)];
      const comparison = compareRuns(baseline, current);
      console.log(describeComparison(comparison));
      const out = flags.out ?? join(dirname(args[2]!), 'report.html');
      await writeHtmlReport(current, out, comparison);
      console.log(`report: ${out}`);
      process.exitCode = comparison.newFailures.length ? 1 : 0;
      return;
    }
    if (args.length !== 1) throw new ConfigError('usage: cnm-harness report <results.json> [--out file]');
    const out = flags.out ?? join(dirname(args[0]!), 'report.html');
    await writeHtmlReport(await readResults(args[0]!), out);
    console.log(`report: ${out}`);
  });

program
  .command('certify')
  .description(
    'certify a driver described by a manifest: run every applicable check (and a short bench), judge the ' +
      'conformance levels, write certificate.json beside results.json and the certificate into report.html',
  )
  .argument(
    '<manifest>',
    'driver manifest (JSON; schema fixtures/schemas/driver-manifest.schema.json; examples in fixtures/manifests/)',
  )
  .option('--hosts <n>', 'number of lab hosts (default 2; multi-host levels need 2)', '2')
  .addOption(
    new Option(
      '--lab <kind>',
      "netns: simulated hosts (plugins launched by the manifest); local: the machine's engine and an already " +
        'running plugin',
    )
      .choices([...LAB_KINDS])
      .default('netns'),
  )
  .option('--report <dir>', 'where results.json, certificate.json, junit.xml and report.html go', './cnm-certificate')
  .option('--no-performance', 'skip the short bench of the informational Performance level')
  .option('--fuzz-seed <n>', 'protocol/fuzz: the seed (the certificate records the one used)')
  .option('--fuzz-budget <n>', 'protocol/fuzz: generated requests for the protocol level (default 10000)')
  .addHelpText(
    'after',
    '\nLevels: core (lifecycle without leaks, identity, connectivity on one host, isolation), nat, multi-host ' +
      '(cross-host connectivity, VNI, MTU, convergence), protocol (remote plugins: protocol suite + fuzzing), ' +
      'performance (ratios, informational), resilience (plugin restart, engine restart, KV outage, partition: ' +
      'claimed only by naming it). A manifest claims levels (default: from its profile); a check that ' +
      'does not apply counts neither way.\nExit status: 0 every claimed level passed; 1 one did not; 2 bad ' +
      'manifest or usage; 130 interrupted.',
  )
  .action(
    async (
      manifest: string,
      flags: {
        hosts: string;
        lab: 'netns' | 'local';
        report: string;
        performance: boolean;
        fuzzSeed?: string;
        fuzzBudget?: string;
      },
    ) => {
      const hosts = hostsOption(flags.hosts);
      const fuzzSeed =
        flags.fuzzSeed === undefined ? undefined : integerOption('fuzz-seed', flags.fuzzSeed, 0, 2 ** 32 - 1);
      const fuzzBudget =
        flags.fuzzBudget === undefined ? undefined : integerOption('fuzz-budget', flags.fuzzBudget, 10, 1_000_000);
      const { certifyCommand } = await import('./certify.ts');
      process.exitCode = await certifyCommand({
        manifest,
        hosts: flags.lab === 'local' ? 1 : hosts,
        lab: flags.lab,
        report: flags.report,
        performance: flags.performance,
        ...(fuzzSeed !== undefined ? { fuzzSeed } : {}),
        ...(fuzzBudget !== undefined ? { fuzzBudget } : {}),
      });
    },
  );

program
  .command('verify')
  .description(
    'check that a results.json is the one a certificate was issued for (sha256, run id) and that its results give ' +
      'the certified level verdicts',
  )
  .argument('<certificate>', 'certificate.json')
  .argument('<results>', 'results.json')
  .addHelpText(
    'after',
    '\nExit status: 0 verified; 1 not verified (the problems are listed); 2 a file that cannot be read or is not ' +
      'a certificate.',
  )
  .action(async (certificate: string, results: string) => {
    const { verifyCertificate } = await import('../reports/certificate.ts');
    const outcome = await verifyCertificate(certificate, results);
    if (outcome.ok) console.log(`verified: ${results} is the certified run, and it gives the certified verdicts`);
    else for (const p of outcome.problems) console.error(`not verified: ${p}`);
    process.exitCode = outcome.ok ? 0 : 1;
  });

program
  .command('list')
  .description('list the drivers and checks')
  .action(() => {
    console.log('drivers:');
    for (const d of allDrivers()) console.log(`  ${d.id.padEnd(20)} ${d.profile.mode.padEnd(10)} ${d.description}`);
    console.log(
      '  remote:<manifest.json>, manifest:<manifest.json>, cni:<file.conflist>  drivers described by a file ' +
        '(examples: fixtures/manifests/, fixtures/cni/)',
    );
    console.log('\nchecks:');
    for (const c of CHECKS)
      console.log(`  ${c.id.padEnd(36)} ${c.title}${c.injectsFaults ? ' (injects faults: run by name only)' : ''}`);
  });

program
  .command('clean')
  .description(
    'remove what killed runs left behind (namespaces, engines, containers, cgroups, files); live runs are left alone',
  )
  .option('--all', 'also remove labs of runs that are still alive and labs kept by `lab up`')
  .option(
    '--lab-file <file>',
    'also reach these remote hosts and remove what dead runs left there (labelled containers, networks, ' +
      "volumes, a run's swarm)",
  )
  .action(async (flags: { all?: boolean; labFile?: string }) => {
    const report = await cleanDeadRuns({ all: flags.all, ...(flags.labFile ? { labFile: flags.labFile } : {}) });
    if (!report.runs.length) console.log('nothing to clean');
    for (const r of report.removed) console.log(`removed ${r}`);
    if (report.runs.length) console.log(`cleaned run(s): ${report.runs.join(', ')}`);
  });

const lab = program.command('lab').description('manage a lab that outlives one command');
lab
  .command('up')
  .description('bring up a netns lab and keep it until `lab down`')
  .option('--hosts <n>', 'number of hosts', '2')
  .action(async (flags: { hosts: string }) => {
    const hosts = hostsOption(flags.hosts);
    const started = await StartedLab.up({ kind: 'netns', hosts, persistent: true });
    console.log(`lab ${started.runId} up in ${(started.descriptor.upMs / 1000).toFixed(1)}s`);
    for (const h of started.hosts)
      console.log(
        `  ${h.name}  DOCKER_HOST=unix://${h.descriptor.socketPath}  underlay ${h.descriptor.underlayAddress}`,
      );
    console.log(`  outside peer: netns ${started.underlay?.outside.netns} (${started.underlay?.outside.address})`);
    console.log(`tear it down with: cnm-harness lab down ${started.runId}`);
  });
lab
  .command('status')
  .description('list the labs on this machine')
  .action(async () => {
    const states = await readRunStates();
    if (!states.length) console.log('no lab');
    for (const s of states) {
      const state = s.persistent
        ? 'kept (lab up)'
        : isProcessAlive(s.pid)
          ? `run in progress (pid ${s.pid})`
          : 'dead: `cnm-harness clean` removes it';
      console.log(`${s.runId}  ${s.kind}  ${s.hosts.join(',') || '-'}  since ${s.startedAt}  ${state}`);
    }
  });
lab
  .command('down')
  .description('tear down a lab (all kept labs without an id)')
  .argument('[id]', 'run id shown by `lab up` / `lab status`')
  .action(async (id?: string) => {
    const states = (await readRunStates()).filter((s) => (id ? s.runId === id : s.persistent));
    if (id && !states.length) throw new ConfigError(`no lab ${id}; see 'cnm-harness lab status'`);
    for (const s of states) {
      const removed = await reapRun(s.runId);
      console.log(`lab ${s.runId} down (${removed.length} object(s) removed)`);
    }
  });

const plugin = program.command('plugin').description('the reference drivers as a Docker remote network plugin');
plugin
  .command('serve')
  .description(
    "serve cnm-ref-bridge (and, with --kv-socket, cnm-ref-overlay and cnm-ref-ipam) on unix sockets in Docker's " +
      'plugin directory, from the current network namespace, until SIGTERM or Ctrl-C',
  )
  .option('--dir <dir>', 'plugin directory of the engine that uses them', '/run/docker/plugins')
  .option('--host-name <name>', "this host's name in the cluster", hostname())
  .option('--uplink <if>', 'interface where egress leaves and VXLAN runs', 'eth0')
  .option('--address <ip>', "the uplink's IPv4 address (default: read from the uplink)")
  .option(
    '--kv-socket <path>',
    "etcd's client endpoint as a unix socket (etcd --listen-client-urls unix://PATH): enables the overlay and " +
      'IPAM plugins',
  )
  .option('--kv-prefix <prefix>', 'etcd key prefix', '/cnm-ref/')
  .option(
    '--state-dir <dir>',
    'keep what the plugins must know after a crash (networks, endpoints) here, and take it up again on start; ' +
      'without it, a restarted plugin has forgotten every network (Docker then answers "No such network")',
  )
  .option('--quiet', 'do not log each call')
  .addHelpText(
    'after',
    '\nThen: docker network create -d cnm-ref-bridge NAME; for the overlay, on every host: docker network create ' +
      "-d cnm-ref-overlay --ipam-driver cnm-ref-ipam --subnet CIDR NAME (the subnet is the network's identity " +
      'across hosts).',
  )
  .action(
    async (
      flags: Pick<ServeOptions, 'dir' | 'hostName' | 'uplink' | 'address' | 'kvSocket' | 'kvPrefix' | 'stateDir'> & {
        quiet?: boolean;
      },
    ) => {
      const { servePlugins } = await import('../drivers/reference/plugin/serve.ts');
      const serving = await servePlugins({
        dir: flags.dir,
        hostName: flags.hostName,
        uplink: flags.uplink,
        kvPrefix: flags.kvPrefix,
        ...(flags.address ? { address: flags.address } : {}),
        ...(flags.kvSocket ? { kvSocket: flags.kvSocket } : {}),
        ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
        ...(flags.quiet
          ? {}
          : {
              log: (call: string, ms: number, ok: boolean) =>
                console.log(`${new Date().toISOString()} ${call} ${ok ? 'ok' : 'error'} ${ms.toFixed(1)} ms`),
            }),
      });
      for (const [name, socket] of Object.entries(serving.sockets)) console.log(`serving ${name} on ${socket}`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await serving.close();
    },
  );

program
  .command('setup-probe-image', { hidden: true })
  .description(
    "build the probe image (FROM scratch, from this machine's binaries) into the local engine; run by ci/setup.sh",
  )
  .action(async () => {
    const archive = await buildProbeArchive();
    const ref = await ensureProbeImage(new Dockerode({ socketPath: LOCAL_DOCKER_SOCKET }), archive);
    console.log(`[setup] probe image ${ref} (${archive.tarPath})`);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof InputError) {
    console.error(`cnm-harness: ${e.message}`);
    process.exitCode = 2;
  } else {
    console.error(`cnm-harness: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  }
}
