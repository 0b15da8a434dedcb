import { expect, it } from 'vitest';
import { dockerBridge } from '../drivers/docker/adapters.ts';
import { driverFromFile } from '../drivers/registry.ts';
import { knownDeviation } from './known-deviations.ts';

it('a deviation belongs to what the driver is, not the name it was loaded under', () => {
  const byManifest = driverFromFile(
    'manifest',
    new URL('../fixtures/manifests/docker-bridge.json', import.meta.url).pathname,
  );
  expect(byManifest.id).not.toBe(dockerBridge.id);
  expect(byManifest.implementation).toBe(dockerBridge.implementation);
  expect(knownDeviation(byManifest, 'nat/private-unreachable')?.why).toMatch(/Docker 20\.10/);
  expect(knownDeviation(dockerBridge, 'nat/private-unreachable')).toBe(
    knownDeviation(byManifest, 'nat/private-unreachable'),
  );
  expect(knownDeviation(byManifest, 'isolation/networks')).toBeUndefined();
});
