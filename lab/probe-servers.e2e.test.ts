import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StartedDriver } from '../drivers/contract.ts';
import { dockerBridge } from '../drivers/docker/adapters.ts';
import { refBridge } from '../drivers/reference/adapters.ts';
import { runCheck } from '../suites/framework/engine.ts';
import natEgress from '../suites/nat/egress-masquerade.ts';
import { execInContainer } from './docker-exec.ts';
import { LabFault } from './lab-fault.ts';
import { StartedLab } from './lab.ts';
import { run } from './linux/command.ts';
import { listProcesses } from './linux/processes.ts';
import { awaitProbeServers, PROBE_RESTART_SCRIPT, PROBE_SERVER_LOG, type SandboxServers } from './probe-servers.ts';
import { classifyProbe, PROBE_PORTS, probeCommand } from './probes.ts';

// The probe servers hold: a thousand concurrent TCP connections and a thousand concurrent UDP
// requests, answered every one while another process keeps both CPUs busy — in the outside peer, in
// a native sandbox and in the probe image — and a server killed mid-run is found and replaced
// before the next check that relies on it.
const lab = StartedLab.attach(inject('lab'));
const h1 = lab.hosts[0]!;
const LOAD = new URL('./testing/probe-load.ts', import.meta.url).pathname;

interface Load {
  count: number;
  tcpAnswered: number;
  udpAnswered: number;
  ms: number;
}

/** 1000 TCP and 1000 UDP requests at once from lab host 1 to `target`, while stress-ng loads both CPUs. */
async function loadUnderStress(target: string): Promise<Load> {
  const stress = execa('stress-ng', ['--cpu', '2', '--timeout', '60s'], { reject: false });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const argv = ['node', '--import', 'tsx', LOAD, target, String(PROBE_PORTS.tcp), String(PROBE_PORTS.udp), '1000'];
    const r = await run(argv, { netns: h1.netns, timeoutMs: 60_000 });
    expect(r.exitCode, r.output).toBe(0);
    return JSON.parse(r.output.trim().split('\n').at(-1)!) as Load;
  } finally {
    stress.kill();
    await stress;
  }
}

describe('probe servers under load', () => {
  const drivers: StartedDriver[] = [];
  beforeAll(async () => {
    drivers.push(await refBridge.start(lab), await dockerBridge.start(lab));
  });
  afterAll(async () => {
    for (const d of drivers) await d.stop();
  });

  it('the outside peer answers 1000 TCP and 1000 UDP requests at once, CPUs saturated', async () => {
    const load = await loadUnderStress(lab.underlay!.outside.address);
    console.log(`outside peer: ${JSON.stringify(load)}`);
    expect(load).toMatchObject({ tcpAnswered: 1000, udpAnswered: 1000 });
  });

  it.for([
    ['a native sandbox (ref-bridge)', 0],
    ['the probe image (docker-bridge)', 1],
  ] as const)('%s answers 1000 TCP and 1000 UDP requests at once, CPUs saturated', async ([what, i]) => {
    const driver = drivers[i]!;
    const network = await driver.createNetwork({ name: 'load', host: h1 });
    const sandbox = await driver.createSandbox({ name: 'load', host: h1, network });
    try {
      const load = await loadUnderStress(sandbox.address(network)!);
      console.log(`${what}: ${JSON.stringify(load)}`);
      expect(load).toMatchObject({ tcpAnswered: 1000, udpAnswered: 1000 });
    } finally {
      await sandbox.remove();
      await network.remove();
    }
  });

  it('a killed outside-peer server is replaced before the next check that needs it; the verdict holds', async () => {
    const marker = `/run/netns/${lab.underlay!.outside.netns}`;
    const servers = (await listProcesses()).filter(
      (p) => p.cmdline.includes('probe-server') && p.cmdline.endsWith(marker),
    );
    expect(servers.length).toBeGreaterThan(0);
    for (const p of servers) process.kill(p.pid, 'SIGKILL');
    const result = await runCheck(lab, drivers[0]!, natEgress);
    expect(result.verdict, result.reason).toBe('pass');
    expect(result.evidence.some((e) => e.host.includes('probe servers restarted'))).toBe(true);
  });
});

describe("a new sandbox's probe servers that never came", () => {
  it('are started again, with a warning; if they still do not listen, a LabFault names them', async () => {
    // the probe image with a command that starts no server: what a server dead at birth looks like
    const container = await h1.docker.createContainer({
      Image: lab.probeImage,
      Cmd: ['sleep', '600'],
      Labels: { 'cnm-harness.test': 'probe-servers' },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    const exec = (argv: string[], timeoutMs: number) => execInContainer(h1.docker, container.id, argv, { timeoutMs });
    const servers = (restart: SandboxServers['restart']): SandboxServers => ({
      where: 'sandbox test on h1',
      exec,
      diagnose: () => Promise.all([exec(['cat', PROBE_SERVER_LOG], 5_000), exec(['ps'], 5_000)]),
      restart,
    });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      await awaitProbeServers(
        servers(() => exec(['sh', '-c', PROBE_RESTART_SCRIPT], 10_000)),
        2,
      );
      await new Promise((r) => setImmediate(r));
      expect(warnings.join('\n')).toContain(
        'probe servers in sandbox test on h1 did not listen and were started again',
      );
      for (const p of ['tcp', 'udp'] as const)
        expect(classifyProbe(p, '127.0.0.1', await exec(probeCommand(p, '127.0.0.1'), 10_000)).outcome).toBe('ok');

      await exec(['killall', 'probe-server'], 5_000);
      const fault = await awaitProbeServers(
        servers(async () => undefined),
        2,
      ).catch((e: unknown) => e);
      expect(fault).toBeInstanceOf(LabFault);
      expect((fault as LabFault).component).toBe('probe servers in sandbox test on h1');
      expect((fault as LabFault).message).toContain('not listening after 2 s');
      expect(JSON.stringify((fault as LabFault).observed)).toContain(`cat ${PROBE_SERVER_LOG}`);
    } finally {
      process.off('warning', onWarning);
      await container.remove({ force: true });
    }
  }, 60_000);
});
