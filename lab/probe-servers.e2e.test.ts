import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StartedDriver } from '../drivers/contract.ts';
import { dockerBridge } from '../drivers/docker/adapters.ts';
import { refBridge } from '../drivers/reference/adapters.ts';
import { runCheck } from '../suites/framework/engine.ts';
import natEgress from '../suites/nat/egress-masquerade.ts';
import { StartedLab } from './lab.ts';
import { run } from './linux/command.ts';
import { listProcesses } from './linux/processes.ts';
import { PROBE_PORTS } from './probes.ts';

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
