import Dockerode from 'dockerode';
import { execa, type ResultPromise } from 'execa';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { leaksBetween, snapshot } from '../lab/audit.ts';
import { mustRun, run } from '../lab/linux/command.ts';
import { addNetns, deleteNetns, listNetns } from '../lab/linux/netns.ts';
import { LOCAL_DOCKER_SOCKET } from '../lab/reaper.ts';
import { validatorFor } from '../lab/schema.ts';
import { testTempDir } from '../lab/testing/temp-dir.ts';
import { waitUntil } from '../lab/wait.ts';
import type { ResultsFile } from '../reports/results-file.ts';

const CLI = new URL('../bin/cnm-harness.mjs', import.meta.url).pathname;
const cli = (args: string[]) => execa('node', [CLI, ...args], { reject: false, all: true, timeout: 600_000 });

async function reportDir(): Promise<string> {
  return testTempDir('cnm-report-', onTestFinished);
}

/** Waits until the child prints a line matching `pattern`. */
function waitForLine(child: ResultPromise, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${seen}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
}

describe("the user's own objects are never touched", () => {
  const tag = randomBytes(3).toString('hex');
  const docker = new Dockerode({ socketPath: LOCAL_DOCKER_SOCKET });
  const sentinel = {
    network: `user-net-${tag}`,
    container: `user-app-${tag}`,
    chain: `USER-RULES-${tag}`,
    netns: `user-ns-${tag}`,
  };
  let containerId = '';
  let networkId = '';

  beforeAll(async () => {
    const lab = inject('lab');
    networkId = (await docker.createNetwork({ Name: sentinel.network })).id;
    const c = await docker.createContainer({
      name: sentinel.container,
      Image: lab.probeImage,
      HostConfig: { NetworkMode: sentinel.network },
    });
    await c.start();
    containerId = c.id;
    await mustRun(['iptables', '-N', sentinel.chain]);
    await mustRun(['iptables', '-A', sentinel.chain, '-s', '192.0.2.0/24', '-j', 'RETURN']);
    await addNetns(sentinel.netns);
  });

  afterAll(async () => {
    await docker
      .getContainer(containerId)
      .remove({ force: true })
      .catch(() => undefined);
    await docker
      .getNetwork(networkId)
      .remove()
      .catch(() => undefined);
    await run(['iptables', '-F', sentinel.chain]);
    await run(['iptables', '-X', sentinel.chain]);
    await deleteNetns(sentinel.netns);
  });

  it(
    'a run on the local engine and a clean leave sentinel containers, networks, rules and namespaces alone; ' +
      'results.json validates',
    async () => {
      const dir = await reportDir();
      const r = await cli([
        'run',
        '--lab',
        'local',
        '--drivers',
        'docker-bridge,docker-none,docker-host,docker-container',
        '--report',
        dir,
      ]);
      expect(r.exitCode, r.all).toBe(0);
      const clean = await cli(['clean']);
      expect(clean.exitCode, clean.all).toBe(0);

      const c = await docker.getContainer(containerId).inspect();
      expect(c.State.Running).toBe(true);
      expect((await docker.getNetwork(networkId).inspect()).Name).toBe(sentinel.network);
      const rules = await mustRun(['iptables', '-S', sentinel.chain]);
      expect(rules.output).toContain('192.0.2.0/24');
      expect(await listNetns()).toContain(sentinel.netns);

      const results = JSON.parse(await readFile(`${dir}/results.json`, 'utf8')) as ResultsFile;
      const validate = validatorFor('results.schema.json');
      expect(validate(results), JSON.stringify(validate.errors)).toBe(true);
      expect(results.run.lab.kind).toBe('local');
      expect(results.run.audit?.clean).toBe(true);
      expect(results.summary.pass).toBeGreaterThanOrEqual(8);
      expect(results.results.find((x) => x.check === 'lifecycle/leak-audit')?.verdict).toBe('pass');
      const junit = await readFile(`${dir}/junit.xml`, 'utf8');
      expect(junit).toMatch(/<testsuite name="docker-bridge"/);
    },
  );
});

describe('the leak audit blames only the run', () => {
  it('changes others make during a run are listed as foreign, and the audit stays clean', async () => {
    const tag = randomBytes(3).toString('hex');
    const names = { old: `fgo${tag}`, new: `fgn${tag}` };
    const rule = (name: string) => ['INPUT', '-m', 'comment', '--comment', name, '-j', 'ACCEPT'];
    const make = async (name: string) => {
      await addNetns(name);
      await mustRun(['ip', 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
      await mustRun(['iptables', '-w', '5', '-A', ...rule(name)]);
    };
    const unmake = async (name: string) => {
      await deleteNetns(name).catch(() => undefined);
      await run(['ip', 'link', 'delete', name]);
      await run(['iptables', '-w', '5', '-D', ...rule(name)]);
    };
    await make(names.old);
    try {
      const dir = await reportDir();
      const child = cli(['run', '--drivers', 'ref-none,ref-bridge', '--checks', 'identity,isolation', '--report', dir]);
      await waitForLine(child, /^lab [0-9a-f]{6} up/);
      // another job, meanwhile: one set of objects goes, another comes
      await unmake(names.old);
      await make(names.new);
      const r = await child;
      expect(r.exitCode, r.all).toBe(0);
      const results = JSON.parse(await readFile(`${dir}/results.json`, 'utf8')) as ResultsFile;
      expect(results.run.audit?.clean).toBe(true);
      const foreign = results.run.audit?.foreign ?? [];
      for (const kind of ['netns', 'link'] as const) {
        expect(foreign).toContainEqual({ kind, item: names.new, change: 'added' });
        expect(foreign).toContainEqual({ kind, item: names.old, change: 'removed' });
      }
      expect(foreign.some((f) => f.kind === 'iptables' && f.item.includes(names.new) && f.change === 'added')).toBe(
        true,
      );
      expect(foreign.some((f) => f.kind === 'iptables' && f.item.includes(names.old) && f.change === 'removed')).toBe(
        true,
      );
      expect(r.all).toMatch(/leak audit clean \(\d+ change\(s\) by others listed\)/);
    } finally {
      await unmake(names.old);
      await unmake(names.new);
    }
  });
});

describe('a driver that leaks on the machine still fails', () => {
  it('the broken plugin serving the machine (--lab local) leaks a bridge: teardown and the audit say so', async () => {
    const dir = await reportDir();
    const tag = randomBytes(3).toString('hex');
    const socket = `${dir}/brk.sock`;
    const plugin = execa(
      'node',
      ['--import', 'tsx', new URL('../fixtures/plugins/broken-plugin.ts', import.meta.url).pathname, socket],
      { reject: false, all: true },
    );
    const bridges = async () =>
      (JSON.parse((await run(['ip', '-j', 'link', 'show', 'type', 'bridge'])).output || '[]') as { ifname: string }[])
        .map((l) => l.ifname)
        .filter((n) => /^bk[0-9a-f]{8}$/.test(n));
    const had = await bridges();
    try {
      await waitForLine(plugin, /broken plugin serving/);
      await writeFile(
        `${dir}/broken-local.json`,
        JSON.stringify({
          name: `cnmh-brk${tag}`,
          kind: 'remote',
          remote: { plugin: `cnmh-brk${tag}`, socket, activate: true },
          profile: { mode: 'bridge', scope: 'local', isolated: true, nat: false, dns: false, multiHost: false },
        }),
      );
      const r = await cli([
        'run',
        '--lab',
        'local',
        '--drivers',
        `remote:${dir}/broken-local.json`,
        '--checks',
        'protocol/teardown',
        '--report',
        dir,
      ]);
      expect(r.exitCode, r.all).toBe(1);
      const results = JSON.parse(await readFile(`${dir}/results.json`, 'utf8')) as ResultsFile;
      expect(results.results.find((x) => x.check === 'protocol/teardown')?.verdict).toBe('fail');
      const leaked = (await bridges()).filter((b) => !had.includes(b));
      expect(leaked.length).toBeGreaterThan(0);
      expect(results.run.audit?.clean).toBe(false);
      // every bridge it left (one per attempt: a fail beside other checks is run again alone) is the run's leak
      for (const item of leaked) expect(results.run.audit?.leaks).toContainEqual({ kind: 'link', item });
    } finally {
      plugin.kill();
      await plugin;
      for (const b of await bridges()) if (!had.includes(b)) await run(['ip', 'link', 'delete', b]);
    }
  });
});

describe('interrupted runs leave nothing behind', () => {
  it('Ctrl-C (SIGINT) mid-run, with drivers side by side, stops, cleans up and exits 130', async () => {
    const before = await snapshot();
    const dir = await reportDir();
    const child = cli([
      'run',
      '--drivers',
      'docker-bridge,ref-bridge,ref-overlay',
      '--concurrency',
      '3',
      '--report',
      dir,
    ]);
    // all three under way at once: each has a result in
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const under = (o: string) =>
      ['docker-bridge', 'ref-bridge', 'ref-overlay'].every((d) => new RegExp(`pass\\s+${d} `).test(o));
    const waited = await waitUntil(async () => out, under, { what: 'a result of each driver', timeoutMs: 120_000 });
    expect(waited.done, out).toBe(true);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, r.all).toBe(130);
    expect(r.all).toMatch(/SIGINT: stopping the run/);
    const results = JSON.parse(await readFile(`${dir}/results.json`, 'utf8')) as ResultsFile;
    expect(results.run.interrupted).toBe(true);
    expect(await leaksBetween(before, await snapshot())).toEqual([]);
  });

  it('kill -9 leaves a lab behind, and `cnm-harness clean` removes all of it', async () => {
    const before = await snapshot();
    const child = cli(['run', '--drivers', 'docker-bridge', '--report', await reportDir()]);
    const line = await waitForLine(child, /^lab [0-9a-f]{6} up/);
    const runId = /^lab ([0-9a-f]{6})/.exec(line)![1]!;
    child.kill('SIGKILL');
    await child;
    // the kill really left things: the run's namespaces and engines are still there
    const left = await leaksBetween(before, await snapshot());
    expect(left.some((l) => l.kind === 'netns' && l.item.includes(runId))).toBe(true);
    expect(left.some((l) => l.kind === 'process')).toBe(true);

    const clean = await cli(['clean']);
    expect(clean.exitCode, clean.all).toBe(0);
    expect(clean.all).toContain(runId);
    expect(await leaksBetween(before, await snapshot())).toEqual([]);
  });
});
