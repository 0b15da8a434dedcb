import { cniDriverFromConflist, cniDriverFromManifest } from './cni/cni-driver.ts';
import type { Driver } from './contract.ts';
import {
  dockerBridge,
  dockerContainer,
  dockerHost,
  dockerNone,
  dockerOverlay,
  dockerOverlayKv,
} from './docker/adapters.ts';
import { dockerBuiltinDriver } from './manifest/docker-builtin-driver.ts';
import { loadManifest, ManifestError, type LoadedManifest } from './manifest/manifest.ts';
import { remoteDriver } from './manifest/remote-driver.ts';
import { refBridge, refContainer, refHost, refNone, refOverlay } from './reference/adapters.ts';
import { refBridgeAtDocker, refOverlayAtDocker } from './reference/plugin/adapters.ts';

/** Every driver the harness knows, in run order. Adding one is a `Driver` in its adapter file plus one line here. */
const DRIVERS: Driver[] = [
  refNone,
  refHost,
  refContainer,
  refBridge,
  refOverlay,
  dockerBridge,
  dockerNone,
  dockerHost,
  dockerContainer,
  dockerOverlay,
  dockerOverlayKv,
  refBridgeAtDocker,
  refOverlayAtDocker,
];

const REGISTRY = new Map<string, Driver>(DRIVERS.map((d) => [d.id, d]));

export function allDrivers(): Driver[] {
  return [...REGISTRY.values()];
}

export function driverIds(): string[] {
  return [...REGISTRY.keys()];
}

export class UnknownDriverError extends Error {
  constructor(readonly ids: string[]) {
    super(
      `unknown driver${ids.length > 1 ? 's' : ''}: ${ids.join(', ')}. Known drivers: ${driverIds().join(', ')}; ` +
        `or remote:<manifest.json>, cni:<file.conflist>, manifest:<manifest.json>`,
    );
  }
}

/** Drivers described by a file: `remote:<manifest>`, `cni:<conflist>`, `manifest:<any manifest>`. */
const FROM_FILE = /^(remote|cni|manifest):(.+)$/;

export function driverFromFile(kind: string, path: string): Driver {
  if (kind === 'cni' && path.endsWith('.conflist')) return cniDriverFromConflist(path);
  const loaded = loadManifest(path);
  if (kind !== 'manifest' && loaded.manifest.kind !== kind)
    throw new ManifestError(
      `${kind}:${path}: the manifest is of kind ${loaded.manifest.kind}; use ${loaded.manifest.kind}:${path} or ` +
        `manifest:${path}`,
    );
  return driverFromManifest(loaded);
}

export function driverFromManifest(loaded: LoadedManifest): Driver {
  switch (loaded.manifest.kind) {
    case 'remote':
      return remoteDriver(loaded);
    case 'docker':
      return dockerBuiltinDriver(loaded);
    case 'cni':
      return cniDriverFromManifest(loaded);
  }
}

/** Resolves ids to drivers; an unknown id is an error that lists the known ones. */
export function resolveDrivers(ids: string[]): Driver[] {
  const unknown = ids.filter((id) => !REGISTRY.has(id) && !FROM_FILE.test(id));
  if (unknown.length) throw new UnknownDriverError(unknown);
  return ids.map((id) => {
    const file = FROM_FILE.exec(id);
    return file ? driverFromFile(file[1]!, file[2]!) : REGISTRY.get(id)!;
  });
}

/** The plugin names of the remote drivers among `drivers` (`remote:<plugin>`): what the leak audit looks for. */
export function remotePluginNames(drivers: Driver[]): string[] {
  return drivers.flatMap((d) => (d.implementation.startsWith('remote:') ? [d.implementation.slice(7)] : []));
}
