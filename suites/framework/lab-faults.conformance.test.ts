import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Driver, Sandbox, SandboxSpec, StartedDriver } from '../../drivers/contract.ts';
import { refBridge } from '../../drivers/reference/adapters.ts';
import { StartedLab } from '../../lab/lab.ts';
import { listProcesses } from '../../lab/linux/processes.ts';
import sameHost from '../connectivity/same-host.ts';
import isolationNetworks from '../isolation/networks.ts';
import connectDisconnect from '../lifecycle/connect-disconnect.ts';
import { runCheck } from './engine.ts';

// What the harness or the lab could not observe is an error naming the component, never a fail:
// a probe tool missing, a sandbox's probe server dead (its control fails), the lab's etcd stopped.
const lab = StartedLab.attach(inject('lab'));
let plain: StartedDriver;

/** ref-bridge, with each new sandbox passed through `twist` (a planted lab fault). */
function twisted(id: string, twist: (s: Sandbox, spec: SandboxSpec) => Promise<Sandbox>): Driver {
  return {
    ...refBridge,
    id,
    start: async (l) => {
      const started = await refBridge.start(l);
      const create = started.createSandbox.bind(started);
      started.createSandbox = async (spec) => twist(await create(spec), spec);
      return started;
    },
  };
}

beforeAll(async () => {
  plain = await refBridge.start(lab);
});
afterAll(async () => {
  await plain.stop();
});

describe('lab faults are errors that name the component', () => {
  it('a probe tool missing in the sandboxes: error, "probe tool"', async () => {
    const driver = await twisted('ref-bridge-without-tools', async (s) => {
      const exec = s.exec.bind(s);
      // the sandbox's PATH has no probe tools: every probe fails to start (exit 127)
      s.exec = (argv, timeoutMs, signal) =>
        exec(['env', 'PATH=/nonexistent', '/bin/sh', '-c', '"$0" "$@"', ...argv], timeoutMs, signal);
      return s;
    }).start(lab);
    try {
      const r = await runCheck(lab, driver, sameHost);
      expect(r.verdict, r.reason).toBe('error');
      expect(r.component).toBe('probe tool');
      expect(r.reason).toMatch(/could not run \(exit 127\)/);
    } finally {
      await driver.stop();
    }
  });

  it('a sandbox\'s probe server dead: the isolation table\'s control fails, error, "probe control"', async () => {
    const driver = await twisted('ref-bridge-with-a-dead-server', async (s, spec) => {
      if (spec.name === 'b1') {
        for (const p of await listProcesses())
          if (p.cmdline.includes('probe-server') && p.cmdline.endsWith(`/run/netns/${s.id}`))
            process.kill(p.pid, 'SIGKILL');
      }
      return s;
    }).start(lab);
    try {
      const r = await runCheck(lab, driver, isolationNetworks);
      // without the control, "nothing reaches b1" would have passed as isolation
      expect(r.verdict, r.reason).toBe('error');
      expect(r.component).toBe('probe control');
      expect(r.reason).toMatch(/b1→b1 tcp: expected ok, observed refused/);
    } finally {
      await driver.stop();
    }
  });

  it('the lab\'s etcd stopped: a check that reads it errors, "lab etcd"; resumed, the same check passes', async () => {
    const etcd = (await listProcesses()).find(
      (p) => p.cmdline.startsWith('etcd ') && p.cmdline.includes(`--name=${lab.descriptor.kv!.netns}`),
    );
    expect(etcd).toBeDefined();
    process.kill(etcd!.pid, 'SIGSTOP');
    let r;
    try {
      r = await runCheck(lab, plain, connectDisconnect);
    } finally {
      process.kill(etcd!.pid, 'SIGCONT');
    }
    expect(r.verdict, r.reason).toBe('error');
    expect(r.component).toBe('lab etcd');
    const again = await runCheck(lab, plain, connectDisconnect);
    expect(again.verdict, again.reason).toBe('pass');
  }, 120_000);
});
