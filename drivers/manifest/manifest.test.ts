import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDrivers } from '../registry.ts';
import { loadManifest, ManifestError } from './manifest.ts';
import { launchArgv } from './remote-driver.ts';

const MANIFESTS = new URL('../../fixtures/manifests/', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cnmh-manifest-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function invalid(manifest: unknown): Promise<string> {
  const path = join(dir, `m${Math.random().toString(16).slice(2)}.json`);
  await writeFile(path, typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  try {
    loadManifest(path);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return (e as Error).message;
  }
  throw new Error('the manifest was accepted');
}

const profile = { mode: 'bridge', scope: 'local', isolated: true, nat: true, dns: false, multiHost: false };

describe('driver manifests', () => {
  it('every shipped manifest is valid and resolves to a driver', async () => {
    const files = (await readdir(MANIFESTS)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const loaded = loadManifest(join(MANIFESTS, f));
      expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
      const [driver] = resolveDrivers([`manifest:${join(MANIFESTS, f)}`]);
      expect(driver!.id).toBe(`${loaded.manifest.kind}:${loaded.manifest.name}`);
    }
  });

  it('an invalid manifest is an error naming the JSON path and what was expected there', async () => {
    expect(
      await invalid({
        name: 'x',
        kind: 'remote',
        profile: { ...profile, mode: 'macvlan' },
        remote: { plugin: 'x', socket: '/run/x.sock' },
      }),
    ).toMatch(/\/profile\/mode: must be equal to one of the allowed values \(none, container, host, bridge, overlay\)/);
    expect(await invalid({ name: 'x', kind: 'remote', profile })).toMatch(/\/: must have required property 'remote'/);
    expect(
      await invalid({ name: 'x', kind: 'remote', profile, remote: { plugin: 'x', tcp: 'tcp://192.0.2.1:80' } }),
    ).toMatch(/\/remote\/tcp: must match pattern/);
    expect(await invalid({ name: 'Bad Name', kind: 'docker', docker: { driver: 'bridge' }, profile })).toMatch(
      /\/name: must match pattern/,
    );
    expect(await invalid('{ "name": ')).toMatch(/is not JSON/);
  });

  it('remote:, cni: and manifest: ids say when the file is of another kind', () => {
    expect(() => resolveDrivers([`cni:${join(MANIFESTS, 'ref-overlay.json')}`])).toThrow(/of kind remote; use remote:/);
    expect(resolveDrivers([`cni:${new URL('../../fixtures/cni/ptp.conflist', import.meta.url).pathname}`])[0]!.id).toBe(
      'cni:cnmh-ptp',
    );
  });

  it('launch placeholders: {harness} is two arguments, the others are filled in place', () => {
    const argv = launchArgv(['{harness}', 'plugin', 'serve', '--dir', '{pluginDir}', '{nope}'], { pluginDir: '/p' });
    expect(argv.slice(2)).toEqual(['plugin', 'serve', '--dir', '/p', '{nope}']);
    expect(argv[1]).toMatch(/bin\/cnm-harness\.mjs$/);
  });
});
