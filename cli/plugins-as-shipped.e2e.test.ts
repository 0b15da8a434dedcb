import { execa } from 'execa';
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { brokenPluginImage, refBridgeManagedPlugin } from '../fixtures/plugins/packaged/build.ts';
import { PLUGIN_PATHS } from '../lab/host-view.ts';
import { validatorFor } from '../lab/schema.ts';
import { testTempDir } from '../lab/testing/temp-dir.ts';
import type { Certificate } from '../reports/certificate.ts';
import type { ResultsFile } from '../reports/results-file.ts';

// Plugins as they ship, certified on the 2-host netns lab: a fixed socket path with state in
// /var/lib, a tcp:// spec file; one that never comes up and one that dies when started again for
// the bench still get a certificate and a report; one that escapes its host's view fails the audit.
const CLI = new URL('../bin/cnm-harness.mjs', import.meta.url).pathname;
const MANIFESTS = new URL('../fixtures/manifests/', import.meta.url).pathname;
const cli = (args: string[]) => execa('node', [CLI, ...args], { reject: false, all: true, timeout: 600_000 });

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** The machine's own plugin directories and the fixtures' state paths, as they are now. */
async function machineView(): Promise<Record<string, string[] | null>> {
  const paths = [...Object.values(PLUGIN_PATHS), '/var/lib/cnm-fixed', '/run/cnm-fixed', '/var/lib/cnm-once'];
  return Object.fromEntries(
    await Promise.all(paths.map(async (p) => [p, await readdir(p).catch(() => null)] as const)),
  );
}

async function certify(manifest: string, dir: string, extra: string[] = []) {
  const r = await cli(['certify', `${MANIFESTS}${manifest}`, '--report', dir, '--fuzz-budget', '200', ...extra]);
  const read = async <T>(f: string) => JSON.parse(await readFile(`${dir}/${f}`, 'utf8')) as T;
  const cert = await read<Certificate>('certificate.json');
  expect(validatorFor('certificate.schema.json')(cert)).toBe(true);
  expect(await exists(`${dir}/report.html`)).toBe(true);
  return { r, cert, results: await read<ResultsFile>('results.json') };
}

const level = (cert: Certificate, name: string) => cert.levels.find((l) => l.name === name)!;

type Certified = Awaited<ReturnType<typeof certify>> & { dir: string; ms: number };

describe('plugins as shipped', () => {
  // every certification at once, each on a lab of its own (they are independent): the whole file
  // costs about the slowest of them, not their sum
  const runs: Record<string, Certified> = {};
  let before: Awaited<ReturnType<typeof machineView>>;
  beforeAll(async () => {
    // the packaged fixtures, from this machine's files: an image archive and a managed plugin
    await Promise.all([brokenPluginImage(), refBridgeManagedPlugin()]);
    before = await machineView();
    const plan: [string, string[]][] = [
      ['fixed-path-plugin.json', ['--no-performance']],
      ['spec-plugin.json', ['--no-performance']],
      ['broken-container.json', ['--no-performance']],
      ['managed-ref-bridge.json', ['--no-performance']],
      ['never-up-plugin.json', []],
      ['once-plugin.json', []],
    ];
    await Promise.all(
      plan.map(async ([manifest, extra]) => {
        const dir = await mkdtemp(join(tmpdir(), 'cnm-shipped-'));
        const t0 = Date.now();
        runs[manifest] = { ...(await certify(manifest, dir, extra)), dir, ms: Date.now() - t0 };
      }),
    );
  }, 600_000);
  afterAll(async () => {
    for (const r of Object.values(runs)) await rm(r.dir, { recursive: true, force: true });
  });

  it('a fixed-path plugin (state in /var/lib) and a tcp:// spec plugin are certified', async () => {
    for (const m of ['fixed-path-plugin.json', 'spec-plugin.json']) {
      const { r, cert } = runs[m]!;
      expect(r.exitCode, r.all).toBe(0);
      expect(cert.verdict).toBe('pass');
      for (const name of ['core', 'nat', 'protocol']) expect(level(cert, name).verdict, `${m} ${name}`).toBe('pass');
    }
    // the spec plugin served on TCP only: the protocol level passed through its spec, and its log says so
    const dir = runs['spec-plugin.json']!.dir;
    const logs = await readdir(`${dir}/logs`);
    expect(logs).toHaveLength(2);
    expect(await readFile(`${dir}/logs/${logs[0]}`, 'utf8')).toMatch(/serving on tcp:\/\/127\.0\.0\.1:\d+/);
  });

  it('the broken plugin as a container image and the reference bridge as a managed plugin are certified', () => {
    const container = runs['broken-container.json']!;
    const managed = runs['managed-ref-bridge.json']!;
    // the container ran and was judged: its defects found, as when the plugin runs as a process
    expect(container.r.exitCode, container.r.all).toBe(1);
    const protocol = level(container.cert, 'protocol');
    expect(protocol.verdict).toBe('fail');
    expect(protocol.problems.join('\n')).toMatch(/protocol\/unknown-ids: fail/);
    expect(protocol.problems.join('\n')).toMatch(/text\/plain/);
    // the managed plugin passes, never having been sent Plugin.Activate by the harness
    expect(managed.r.exitCode, managed.r.all).toBe(0);
    expect(managed.cert.verdict).toBe('pass');
    for (const name of ['core', 'nat', 'protocol']) expect(level(managed.cert, name).verdict, name).toBe('pass');
    const sent = managed.results.results.flatMap((x) => x.evidence.map((e) => e.command));
    expect(sent.some((c) => c.includes('Plugin.Activate'))).toBe(false);
  });

  it("nothing of any of them is left in the machine's plugin directories or state paths", async () => {
    expect(await machineView()).toEqual(before);
  });

  it('a plugin that never comes up: a bounded error naming paths, what appeared, its log; a certificate', async () => {
    const { r, cert, results, dir, ms } = runs['never-up-plugin.json']!;
    expect(r.exitCode, r.all).toBe(1);
    expect(ms).toBeLessThan(180_000);
    expect(cert.verdict).toBe('fail');
    for (const name of ['core', 'protocol', 'performance'])
      expect(level(cert, name).verdict, name).toBe('not-demonstrated');
    const story = results.results.find((x) => x.check === 'identity/none')!;
    expect(story.verdict).toBe('error');
    expect(story.component).toBe('driver start');
    const told = story.evidence.map((e) => e.output).join('\n');
    expect(told).toContain('expected: /run/docker/plugins/cnm-never.sock, or cnm-never.spec or cnm-never.json');
    expect(told).toContain('found in the plugin directories: /run/docker/plugins/cnm-nevr.sock');
    expect(told).toContain('cnm-never: reading /etc/cnm-never.conf: no such file');
    // started on every host at once: each host's log is kept
    const logs = await readdir(`${dir}/logs`);
    expect(logs).toContainEqual(expect.stringMatching(/-h1-plugin-cnm-never\.log$/));
    expect(
      logs.every((l) => /-h\d-plugin-cnm-never\.log$/.test(l)),
      logs.join(', '),
    ).toBe(true);
  });

  it('a plugin that dies when started again for the bench: its checks stand, no performance shown', () => {
    const { r, cert, results } = runs['once-plugin.json']!;
    expect(r.exitCode, r.all).toBe(1);
    expect(level(cert, 'core').verdict).toBe('pass');
    expect(level(cert, 'performance').verdict).toBe('not-demonstrated');
    const bench = results.results.find((x) => x.check === 'throughput/bench')!;
    expect(bench.reason).toContain('exited with status 3');
  });

  it("a plugin that writes into the machine's own plugin directory fails the leak audit", async () => {
    const had = { docker: await exists('/usr/lib/docker'), plugins: await exists(PLUGIN_PATHS.libSpecs) };
    const dir = await testTempDir('cnm-escape-', onTestFinished);
    try {
      const r = await cli([
        'run',
        '--drivers',
        `remote:${MANIFESTS}escape-plugin.json`,
        '--checks',
        'identity/none',
        '--report',
        dir,
      ]);
      expect(r.exitCode, r.all).toBe(1);
      const results = JSON.parse(await readFile(`${dir}/results.json`, 'utf8')) as ResultsFile;
      const audit = results.results.find((x) => x.check === 'lifecycle/leak-audit')!;
      expect(audit.verdict).toBe('fail');
      expect(audit.reason).toContain('plugin-file /usr/lib/docker/plugins/cnm-fixed.spec');
    } finally {
      // the escape is on purpose: put the machine back as it was
      await rm(`${PLUGIN_PATHS.libSpecs}/cnm-fixed.spec`, { force: true });
      if (!had.plugins) await rm(PLUGIN_PATHS.libSpecs, { recursive: true, force: true });
      if (!had.docker) await rm('/usr/lib/docker', { recursive: true, force: true });
    }
  });
});
