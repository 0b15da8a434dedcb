import { execa } from 'execa';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { validatorFor } from '../lab/schema.ts';
import { testTempDir } from '../lab/testing/temp-dir.ts';
import type { Certificate } from '../reports/certificate.ts';

const CLI = new URL('../bin/cnm-harness.mjs', import.meta.url).pathname;
const MANIFESTS = new URL('../fixtures/manifests/', import.meta.url).pathname;
const cli = (args: string[]) => execa('node', [CLI, ...args], { reject: false, all: true, timeout: 600_000 });
/** Certifies a fixture manifest on 2 hosts without the performance level; the certificate's own 10000
 * fuzzing requests take half a minute, and the flow is what is tested here. */
const certify = (manifest: string, dir: string) =>
  cli([
    'certify',
    `${MANIFESTS}${manifest}`,
    '--hosts',
    '2',
    '--report',
    dir,
    '--no-performance',
    '--fuzz-budget',
    '1000',
  ]);

async function certificateIn(dir: string): Promise<Certificate> {
  const cert = JSON.parse(await readFile(`${dir}/certificate.json`, 'utf8')) as Certificate;
  expect(validatorFor('certificate.schema.json')(cert)).toBe(true);
  return cert;
}

// each certification on a lab of its own: side by side, the file costs the slower of them
describe('certify and verify', () => {
  it.concurrent(
    'the reference overlay plugin passes every claimed level; verify accepts its results and rejects a changed ' +
      'copy',
    async ({ onTestFinished }) => {
      const dir = await testTempDir('cnm-cert-', onTestFinished);
      const r = await certify('ref-overlay.json', dir);
      expect(r.exitCode, r.all).toBe(0);
      const cert = await certificateIn(dir);
      expect(cert.verdict).toBe('pass');
      expect(cert.claimed).toEqual(['core', 'multi-host', 'protocol', 'performance']);
      for (const name of ['core', 'multi-host', 'protocol']) {
        const level = cert.levels.find((l) => l.name === name)!;
        expect(level.verdict, `${name}: ${level.problems.join('; ')}`).toBe('pass');
        expect(level.counts.pass).toBeGreaterThan(0);
      }
      expect(cert.levels.find((l) => l.name === 'protocol')!.counts.pass).toBeGreaterThanOrEqual(8);
      expect(await readFile(`${dir}/report.html`, 'utf8')).toContain('id="certificate"');

      const ok = await cli(['verify', `${dir}/certificate.json`, `${dir}/results.json`]);
      expect(ok.exitCode, ok.all).toBe(0);

      // one verdict changed from pass to fail: the digest no longer matches, and neither do the levels
      const changed = `${dir}/changed.json`;
      await copyFile(`${dir}/results.json`, changed);
      await writeFile(changed, (await readFile(changed, 'utf8')).replace('"verdict": "pass"', '"verdict": "fail"'));
      const bad = await cli(['verify', `${dir}/certificate.json`, changed]);
      expect(bad.exitCode).toBe(1);
      expect(bad.all).toMatch(/is not the certified file: sha256/);
    },
  );

  it.concurrent(
    'the deliberately broken plugin fails Core and Protocol with evidence, in bounded time',
    async ({ onTestFinished }) => {
      const dir = await testTempDir('cnm-cert-', onTestFinished);
      const t0 = Date.now();
      const r = await certify('broken-plugin.json', dir);
      expect(r.exitCode, r.all).toBe(1);
      expect(Date.now() - t0).toBeLessThan(300_000);
      const cert = await certificateIn(dir);
      expect(cert.verdict).toBe('fail');
      const level = (n: string) => cert.levels.find((l) => l.name === n)!;
      expect(level('core').verdict).toBe('fail');
      expect(level('core').problems.join('\n')).toMatch(
        /lifecycle\/connect-disconnect: fail — left behind: .*link bk[0-9a-f]{8} bridge/,
      );
      expect(level('protocol').verdict).toBe('fail');
      for (const check of [
        'protocol/unknown-ids',
        'protocol/teardown',
        'protocol/generic-options',
        'protocol/replies-valid',
        'protocol/fuzz',
      ]) {
        expect(
          level('protocol').problems.some((p) => p.startsWith(`${check}: fail`)),
          check,
        ).toBe(true);
      }
    },
  );

  it('an invalid manifest exits 2 before any lab is made, naming the JSON path', async () => {
    const dir = await testTempDir('cnm-cert-', onTestFinished);
    await writeFile(
      `${dir}/bad.json`,
      JSON.stringify({ name: 'x', kind: 'docker', docker: { driver: 'weave' }, profile: { mode: 'bridge' } }),
    );
    const r = await cli(['certify', `${dir}/bad.json`, '--report', dir]);
    expect(r.exitCode).toBe(2);
    expect(r.all).toMatch(/\/docker\/driver: must be equal to one of the allowed values/);
    expect(r.all).toMatch(/\/profile: must have required property 'scope'/);
    expect(r.all).not.toMatch(/lab .* up/);
  });
});
