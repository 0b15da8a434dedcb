import { expect, inject, it } from 'vitest';
import type { StartedDriver } from '../../drivers/contract.ts';
import { loadManifest } from '../../drivers/manifest/manifest.ts';
import { remoteDriver } from '../../drivers/manifest/remote-driver.ts';
import { StartedLab } from '../../lab/lab.ts';
import { runCheck } from '../framework/engine.ts';
import pluginRestart from './plugin-restart.ts';

// resilience/plugin-restart can fail, two ways: the deliberately broken plugin in a mode that
// forgets its networks when it restarts, and in one that remakes its bridges (the running
// sandboxes are cut off). The reference plugins, which recover, pass it (resilience.conformance.test.ts).
const lab = StartedLab.attach(inject('lab'));
const manifest = (name: string) =>
  remoteDriver(loadManifest(new URL(`../../fixtures/manifests/${name}`, import.meta.url).pathname));

async function withDriver<T>(start: Promise<StartedDriver>, use: (d: StartedDriver) => Promise<T>): Promise<T> {
  const driver = await start;
  try {
    return await use(driver);
  } finally {
    await driver.stop();
  }
}

it('a plugin that keeps its networks in memory only fails plugin-restart with "No such network"', async () => {
  const result = await withDriver(manifest('broken-plugin-memory-only.json').start(lab), (d) =>
    runCheck(lab, d, pluginRestart),
  );
  expect(result.verdict, result.reason).toBe('fail');
  expect(result.reason).toMatch(/could not join the existing network after the restart: .*No such network/);
  // the data plane itself outlived the plugin: only the control plane forgot
  expect((result.observed as { dataPlane: { there: boolean } }).dataPlane.there).toBe(true);
  expect(result.evidence.some((e) => /kill -KILL <plugin cnm-broken-mem>/.test(e.command))).toBe(true);
});

it('a plugin whose restart remakes its bridges fails plugin-restart: the running sandboxes are cut off', async () => {
  const result = await withDriver(manifest('broken-plugin-wipes-data-plane.json').start(lab), (d) =>
    runCheck(lab, d, pluginRestart),
  );
  expect(result.verdict, result.reason).toBe('fail');
  expect(result.reason).toMatch(/after the restart p1 and p2 no longer reach each other/);
  const timeline = (result.metrics as { timeline: { samples: [number, string][] } }).timeline;
  expect(timeline.samples.some(([, o]) => o === 'lost')).toBe(true);
});
