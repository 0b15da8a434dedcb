import { execa } from 'execa';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabPlugins } from '../drivers/reference/plugin/lab-plugins.ts';
import { resolveDrivers } from '../drivers/registry.ts';
import { StartedLab } from '../lab/lab.ts';
import { run } from '../lab/linux/command.ts';
import { remoteDocker } from '../lab/remote/engine-client.ts';
import { loadLabFile } from '../lab/remote/lab-file.ts';
import { remoteAudit, remoteSnapshots } from '../lab/remote/remote-audit.ts';
import { LABEL_RUN } from '../lab/run-id.ts';
import {
  exposeOverSsh,
  exposeOverTls,
  makeTlsMaterial,
  stopChildren,
  type SshAccess,
  type TlsMaterial,
} from '../lab/testing/exposed-engines.ts';
import { waitUntil } from '../lab/wait.ts';
import type { ResultsFile } from '../reports/results-file.ts';
import { DEFAULT_CHECKS } from '../suites/catalog.ts';
import { unmetRequirement } from '../suites/framework/requirements.ts';
import { expectedVerdict } from '../suites/known-deviations.ts';

const CLI = new URL('../bin/cnm-harness.mjs', import.meta.url).pathname;
const OVERLAY_MANIFEST = new URL('../fixtures/manifests/ref-overlay.json', import.meta.url).pathname;
const cli = (args: string[]) => execa('node', [CLI, ...args], { reject: false, all: true, timeout: 600_000 });
const DRIVERS = 'docker-bridge,docker-overlay';
/** The reference overlay plugin, running on each host already (the user's job on real hosts), reached by its socket. */
const OVERLAY_ON_HOSTS = 'remote:cnm-ref-overlay-on-hosts';

/**
 * The default checks remote hosts can run at all: not those that need the netns lab's outside peer or
 * the plugin's socket on this machine (the protocol suite): the ones compared with a netns lab.
 */
const REMOTE_CAN_RUN = DEFAULT_CHECKS.filter(
  (c) => !c.requires.outsidePeer && !c.requires.features?.includes('remote'),
).map((c) => c.id);

type Result = ResultsFile['results'][number];
const ran = (r: Result) => r.verdict === 'pass' || r.verdict === 'fail' || r.verdict === 'error';
const key = (r: Result) => `${r.driver} ${r.check}`;

// A netns lab's two engines made to look remote: h1's dockerd serves tcp:// with --tlsverify, h2 is
// reached over ssh:// (an sshd in its namespace); each through a loopback forward into the lab.
describe('--lab remote: engines over TLS and SSH', () => {
  let lab: StartedLab;
  let dir: string;
  let labFile: string;
  let tls: TlsMaterial;
  let ssh: SshAccess;
  let tlsPort: number;
  let plugins: Awaited<ReturnType<typeof startLabPlugins>> | undefined;
  let overlayManifest: string;
  const children: ChildProcess[] = [];
  const tlsHost = () => ({
    name: 'tls-host',
    engine: `tcp://127.0.0.1:${tlsPort}`,
    tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey },
    address: lab.descriptor.hosts[0]!.underlayAddress!,
  });
  const sshHost = (knownHosts = ssh.knownHosts) => ({
    name: 'ssh-host',
    engine: `ssh://root@127.0.0.1:${ssh.port}`,
    ssh: { identity: ssh.identity, knownHosts },
    address: lab.descriptor.hosts[1]!.underlayAddress!,
  });
  /** `run` on the remote lab: these drivers, this report directory. */
  const remoteRun = (drivers: string, report: string) => [
    'run',
    '--lab',
    'remote',
    '--lab-file',
    labFile,
    '--drivers',
    drivers,
    '--report',
    report,
  ];
  const writeLabFile = async (name: string, content: unknown) => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(content, null, 2));
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnm-remote-'));
    lab = await StartedLab.up({ kind: 'netns', hosts: 2 });
    const [h1, h2] = lab.descriptor.hosts;
    tls = await makeTlsMaterial(join(dir, 'tls'), h1!.underlayAddress!);
    [tlsPort, ssh] = await Promise.all([
      exposeOverTls(h1!, tls, children),
      exposeOverSsh(h2!, join(dir, 'ssh'), children),
    ]);
    labFile = await writeLabFile('lab.json', { hosts: [tlsHost(), sshHost()] });
    // the reference plugins served on both hosts, and a manifest that names the overlay's socket as
    // the hosts' engines see it: what a user does for a plugin of their own on real hosts
    plugins = await startLabPlugins(lab);
    const shipped = JSON.parse(await readFile(OVERLAY_MANIFEST, 'utf8')) as {
      remote: { plugin: string; launch?: unknown };
    } & Record<string, unknown>;
    const { launch: _launch, ...remote } = shipped.remote;
    overlayManifest = await writeLabFile('overlay-on-hosts.json', {
      ...shipped,
      $schema: undefined,
      name: 'cnm-ref-overlay-on-hosts',
      remote: { ...remote, socket: `/run/docker/plugins/${shipped.remote.plugin}.sock` },
    });
  }, 180_000);

  afterAll(async () => {
    await plugins?.stop();
    stopChildren(children);
    await lab?.down();
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('passes what --lab netns passes on the same drivers (swarm overlay too), and names each transport', async () => {
    const remoteDir = join(dir, 'report-remote');
    const remoteDrivers = `${DRIVERS},remote:${overlayManifest}`;
    // the remote run's drivers side by side, as on the netns lab (one at a time is the remote default)
    const remote = await cli([...remoteRun(remoteDrivers, remoteDir), '--concurrency', '3']);
    expect(remote.exitCode, remote.all).toBe(0);
    const r = JSON.parse(await readFile(join(remoteDir, 'results.json'), 'utf8')) as ResultsFile;
    expect(r.run.lab.kind).toBe('remote');
    expect(r.run.lab.transports).toEqual({
      'tls-host': { transport: 'tls', endpoint: `tcp://127.0.0.1:${tlsPort}` },
      'ssh-host': { transport: 'ssh', endpoint: `ssh://root@127.0.0.1:${ssh.port}` },
    });
    // what the same drivers do on a netns lab is what the matrix asserts there (pass, or fail where a
    // deviation is known): each check remote hosts can run, where it would run on this netns lab (its
    // requirements met by its shape), must come out so here; the plugin on the remote hosts stands for
    // the same plugin through the netns lab's engines
    const twin = (id: string) => resolveDrivers([id === OVERLAY_ON_HOSTS ? 'ref-overlay@docker' : id])[0]!;
    const byId = new Map(DEFAULT_CHECKS.map((c) => [c.id, c]));
    const remoteResults = r.results.filter((x) => x.driver !== 'lab' && REMOTE_CAN_RUN.includes(x.check));
    expect(new Set(remoteResults.map((x) => x.driver))).toEqual(new Set([...DRIVERS.split(','), OVERLAY_ON_HOSTS]));
    for (const x of remoteResults) {
      const driver = twin(x.driver);
      const onNetns = !driver.unsupportedReason(lab) && !unmetRequirement(byId.get(x.check)!.requires, driver, lab);
      if (!onNetns) expect(ran(x), `${key(x)} does not run on a netns lab either: ${x.reason}`).toBe(false);
      // what does not run on remote hosts needs the netns lab's outside peer, a fault in the lab or
      // the plugin's socket on this machine, and says so
      else if (!ran(x)) expect(x.reason, key(x)).toMatch(/outside peer|plugin's socket directly|injects faults/);
      else expect(x.verdict, `${key(x)}: ${x.reason}`).toBe(expectedVerdict(driver, x.check));
    }
    // the rest the remote run did not run, and says why
    for (const x of r.results.filter((y) => y.driver !== 'lab' && !REMOTE_CAN_RUN.includes(y.check)))
      expect(ran(x), `${key(x)}: ${x.reason}`).toBe(false);
    const remoteRan = r.results.filter((x) => ran(x) && x.driver !== 'lab');
    expect(remoteRan.map(key)).toEqual(
      expect.arrayContaining([
        'docker-overlay connectivity/cross-host',
        'docker-overlay vni/allocation',
        `${OVERLAY_ON_HOSTS} connectivity/cross-host`,
        `${OVERLAY_ON_HOSTS} vni/allocation`,
      ]),
    );
    expect(remoteRan.length).toBeGreaterThanOrEqual(25);
    expect(r.run.audit?.clean).toBe(true);
    // nothing of the run stays on the hosts: no labelled container (the helpers included), no swarm
    for (const engine of (await loadLabFile(labFile)).engines) {
      const docker = remoteDocker(engine);
      expect(
        await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['cnm-harness.run'] }) }),
      ).toEqual([]);
      expect(((await docker.info()) as { Swarm: { LocalNodeState: string } }).Swarm.LocalNodeState).toBe('inactive');
    }
  });

  it('bench --lab remote measures between the remote hosts', async () => {
    const report = join(dir, 'bench');
    const res = await cli([
      'bench',
      '--lab',
      'remote',
      '--lab-file',
      labFile,
      '--quick',
      '--repeats',
      '2',
      '--report',
      report,
    ]);
    expect(res.exitCode, res.all).toBe(0);
    const results = (JSON.parse(await readFile(join(report, 'results.json'), 'utf8')) as ResultsFile).results;
    const cross = results.find((x) => x.driver === 'docker-overlay' && x.check === 'throughput/tcp-single-cross-host');
    expect(cross?.verdict, JSON.stringify(cross)).toBe('pass');
    expect((cross?.metrics as { median?: number } | undefined)?.median).toBeGreaterThan(0);
  });

  it('over ssh, API calls share one kept connection and channel (not a login and a docker CLI each)', async () => {
    const engine = (await loadLabFile(labFile)).engines.find((e) => e.transport === 'ssh')!;
    const docker = remoteDocker(engine);
    const h2 = lab.descriptor.hosts[1]!;
    const sshdConnections = async () =>
      (await run(['ss', '-Htn', 'state', 'established', `( sport = :22 )`], { netns: h2.netns! })).output
        .split('\n')
        .filter(Boolean).length;
    const before = await sshdConnections();
    for (let i = 0; i < 20; i++) await docker.version();
    // and the control: the calls did reach the engine over ssh, through one connection kept open
    expect(await sshdConnections()).toBe(before + 1);
    const dialing = await run(['pgrep', '-c', '-f', '^docker system dial-stdio']);
    expect(Number(dialing.output.trim())).toBe(1);
    (docker.modem as unknown as { agent: { destroy(): void } }).agent.destroy();
    await waitUntil(sshdConnections, (n) => n === before, { what: 'the ssh connection to close', timeoutMs: 5_000 });
    expect(await sshdConnections()).toBe(before);
  });

  it('bad lab files, unreachable hosts, wrong TLS or SSH material: exit 2, naming the host and the fix', async () => {
    const otherTls = await makeTlsMaterial(join(dir, 'other-tls'), '127.0.0.1', 'another-ca');
    await writeFile(join(dir, 'empty_known_hosts'), '');
    const cases: [string, unknown, RegExp][] = [
      ['schema', { hosts: [{ name: 'a', engine: 'tcp://127.0.0.1:2376', address: 'nowhere' }] }, /\/hosts\/0\/address/],
      ['no tls', { hosts: [{ ...tlsHost(), tls: undefined }] }, /needs "tls"/],
      [
        'refused',
        { hosts: [{ ...tlsHost(), engine: 'tcp://127.0.0.1:1' }] },
        /tls-host .*nothing listens at tcp:\/\/127\.0\.0\.1:1/,
      ],
      [
        'wrong client certificate',
        { hosts: [{ ...tlsHost(), tls: { ca: tls.ca, cert: otherTls.clientCert, key: otherTls.clientKey } }] },
        /tls-host .*TLS handshake failed.*Fix: "tls" must name/s,
      ],
      [
        'wrong CA',
        { hosts: [{ ...tlsHost(), tls: { ca: otherTls.ca, cert: tls.clientCert, key: tls.clientKey } }] },
        /tls-host .*TLS handshake failed/s,
      ],
      [
        'unknown ssh host key',
        { hosts: [sshHost(join(dir, 'empty_known_hosts'))] },
        /ssh-host .*host key is not in .*ssh-keyscan -p/,
      ],
    ];
    for (const [name, content, message] of cases) {
      const file = await writeLabFile(`bad-${name.replace(/ /g, '-')}.json`, content);
      const res = await cli([
        'run',
        '--lab',
        'remote',
        '--lab-file',
        file,
        '--drivers',
        'docker-none',
        '--report',
        join(dir, 'bad'),
      ]);
      expect(res.exitCode, `${name}: ${res.all}`).toBe(2);
      expect(res.all, name).toMatch(message);
    }
  });

  it("the leak audit reads each remote host: the run's leftovers are leaks, others' changes are listed", async () => {
    const remoteLab = await StartedLab.up({ kind: 'remote', hosts: 2, labFile });
    const host = remoteLab.hosts[0]!;
    const link = `cnmh${remoteLab.runId}lk`;
    const theirs = `someone-else-${remoteLab.runId}`;
    try {
      const before = await remoteSnapshots(remoteLab.hosts);
      // the run's: a container with its label and a link named by it; someone else's: a plain network
      const left = await host.docker.createContainer({
        name: `cnmh-${remoteLab.runId}-left`,
        Image: remoteLab.probeImage,
        Cmd: ['/bin/busybox', 'true'],
        Labels: { [LABEL_RUN]: remoteLab.runId },
      });
      const added = await host.exec(['ip', 'link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}p`]);
      expect(added.exitCode, added.output).toBe(0);
      const network = await host.docker.createNetwork({ Name: theirs });
      // a swarm the run made and did not leave (a lost leave request): the host stays in it
      await host.docker.swarmInit({
        ListenAddr: '0.0.0.0:2377',
        AdvertiseAddr: host.descriptor.underlayAddress,
        Spec: { Labels: { [LABEL_RUN]: remoteLab.runId } },
      });
      const after = await remoteSnapshots(remoteLab.hosts, false, remoteLab.runId);
      const audit = await remoteAudit(before, after, remoteLab.runId);
      expect(audit.leaks).toEqual(
        expect.arrayContaining([
          { kind: 'container', item: `tls-host: /cnmh-${remoteLab.runId}-left ${left.id.slice(0, 12)}` },
          { kind: 'link', item: `tls-host: ${link}` },
          { kind: 'swarm', item: expect.stringMatching(/^tls-host: swarm manager \S+ active$/) as string },
        ]),
      );
      expect(audit.foreign).toContainEqual({
        kind: 'network',
        item: `tls-host: ${theirs} ${network.id.slice(0, 12)}`,
        change: 'added',
      });
      expect(audit.leaks.some((l) => l.item.includes(theirs))).toBe(false);
    } finally {
      await host.docker.swarmLeave({ force: true }).catch(() => undefined);
      await host.exec(['ip', 'link', 'del', link]);
      await host.docker
        .getNetwork(theirs)
        .remove()
        .catch(() => undefined);
      await remoteLab.down();
    }
  });

  it('a swarm the hosts are already in: refused without --use-existing-swarm, used unchanged with it', async () => {
    const [a, b] = (await loadLabFile(labFile)).engines.map(remoteDocker);
    const [ha, hb] = lab.descriptor.hosts;
    await a!.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: ha!.underlayAddress });
    try {
      const token = ((await a!.swarmInspect()) as { JoinTokens: { Worker: string } }).JoinTokens.Worker;
      await b!.swarmJoin({
        ListenAddr: '0.0.0.0:2377',
        AdvertiseAddr: hb!.underlayAddress,
        RemoteAddrs: [`${ha!.underlayAddress}:2377`],
        JoinToken: token,
      });
      const swarmId = ((await a!.swarmInspect()) as { ID: string }).ID;
      const args = ['run', '--lab', 'remote', '--lab-file', labFile, '--drivers', 'docker-overlay'];
      const refused = await cli([...args, '--checks', 'connectivity/cross-host', '--report', join(dir, 'swarm-no')]);
      expect(refused.exitCode).toBe(1);
      expect(refused.all).toMatch(/already in a swarm the run did not make.*--use-existing-swarm/s);
      const used = await cli([
        ...args,
        '--use-existing-swarm',
        '--checks',
        'connectivity/cross-host',
        '--report',
        join(dir, 'swarm-yes'),
      ]);
      expect(used.exitCode, used.all).toBe(0);
      // the same swarm, both hosts still in it
      expect(((await a!.swarmInspect()) as { ID: string }).ID).toBe(swarmId);
      for (const d of [a!, b!])
        expect(((await d.info()) as { Swarm: { LocalNodeState: string } }).Swarm.LocalNodeState).toBe('active');
    } finally {
      await b!.swarmLeave({ force: true }).catch(() => undefined);
      await a!.swarmLeave({ force: true }).catch(() => undefined);
    }
  });

  it('clean: a remote run killed mid-way leaves nothing on the hosts, its swarm included', async () => {
    const child = execa('node', [CLI, ...remoteRun('docker-overlay', join(dir, 'killed'))], {
      reject: false,
      all: true,
    });
    const engines = (await loadLabFile(labFile)).engines.map(remoteDocker);
    const labelled = { all: true, filters: JSON.stringify({ label: ['cnm-harness.run'] }) };
    // killed once the swarm is formed and the checks have made containers
    await waitUntil(
      async () => (await engines[0]!.listContainers(labelled)).length,
      (n) => n >= 2,
      { what: 'containers of the run', timeoutMs: 60_000, intervalMs: 250 },
    );
    child.kill('SIGKILL');
    await child;
    const res = await cli(['clean', '--lab-file', labFile]);
    expect(res.exitCode, res.all).toBe(0);
    expect(res.all).toMatch(/left the swarm of run/);
    for (const docker of engines) {
      expect(await docker.listContainers(labelled)).toEqual([]);
      expect(await docker.listNetworks({ filters: JSON.stringify({ label: ['cnm-harness.run'] }) })).toEqual([]);
      expect(((await docker.info()) as { Swarm: { LocalNodeState: string } }).Swarm.LocalNodeState).toBe('inactive');
    }
  });
});
