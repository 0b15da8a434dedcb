import type { Driver } from './contract.ts';
import { DOCKER_DRIVERS } from './docker/adapters.ts';
import { REFERENCE_DRIVERS } from './reference/adapters.ts';
import { PLUGIN_DRIVERS } from './reference/plugin/adapters.ts';

/** Every driver the harness knows, by id. Adding one is one import and one entry here. */
const REGISTRY = new Map<string, Driver>([...REFERENCE_DRIVERS, ...DOCKER_DRIVERS, ...PLUGIN_DRIVERS].map((d) => [d.id, d]));

export function allDrivers(): Driver[] {
  return [...REGISTRY.values()];
}

export function driverIds(): string[] {
  return [...REGISTRY.keys()];
}

export class UnknownDriverError extends Error {
  constructor(readonly ids: string[]) {
    super(`unknown driver${ids.length > 1 ? 's' : ''}: ${ids.join(', ')}. Known drivers: ${driverIds().join(', ')}`);
  }
}

/** Resolves ids to drivers; an unknown id is an error that lists the known ones. */
export function resolveDrivers(ids: string[]): Driver[] {
  const unknown = ids.filter((id) => !REGISTRY.has(id));
  if (unknown.length) throw new UnknownDriverError(unknown);
  return ids.map((id) => REGISTRY.get(id)!);
}
