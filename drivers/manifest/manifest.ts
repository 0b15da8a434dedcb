import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../lab/input-error.ts';
import { assertValid } from '../../lab/schema.ts';
import type { Profile } from '../contract.ts';
import type { DockerNetworking } from '../docker/docker-driver.ts';

export type Level = 'core' | 'nat' | 'multi-host' | 'protocol' | 'performance' | 'resilience';

/** A driver manifest (fixtures/schemas/driver-manifest.schema.json). */
export interface DriverManifest {
  name: string;
  description?: string;
  kind: 'remote' | 'docker' | 'cni';
  remote?: {
    plugin: string;
    launch?: { command: string[]; sockets?: string[]; readySeconds?: number };
    container?: {
      image: string;
      archive?: string;
      build?: string;
      command?: string[];
      privileged?: boolean;
      binds?: string[];
      env?: string[];
      readySeconds?: number;
    };
    package?: { source: string; readySeconds?: number };
    socket?: string;
    spec?: string;
    tcp?: string;
    managed?: string;
    activate?: boolean;
    binary?: string;
    mtuOption?: string;
  };
  docker?: { driver: 'bridge' | 'overlay' | 'macvlan' | 'ipvlan' | 'host' | 'none'; swarm?: boolean };
  cni?: { conflist: string; binDir?: string; binary?: string };
  network?: {
    options?: Record<string, string>;
    ipamDriver?: string;
    ipamOptions?: Record<string, string>;
    spansHosts?: 'no' | 'per-host' | 'swarm';
    splitRangePerHost?: boolean;
  };
  profile: Omit<Profile, 'remote'> & { encapsulation?: string };
  levels?: Level[];
}

export interface LoadedManifest {
  manifest: DriverManifest;
  /** Absolute path of the manifest file. */
  path: string;
  dir: string;
  /** sha256 of the file's bytes, as the certificate records it. */
  sha256: string;
}

/** A manifest that cannot be used: unreadable, not JSON, or not valid (with the JSON paths). */
export class ManifestError extends InputError {}

export function loadManifest(path: string): LoadedManifest {
  const abs = resolve(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch (e) {
    throw new ManifestError(`cannot read manifest ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ManifestError(`manifest ${path} is not JSON: ${(e as Error).message}`);
  }
  try {
    const manifest = assertValid<DriverManifest>('driver-manifest.schema.json', data, `manifest ${path}`);
    return { manifest, path: abs, dir: dirname(abs), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (e) {
    throw new ManifestError((e as Error).message);
  }
}

/** How `docker network create` is shaped by a manifest's `network` section. */
export function dockerNetworkingOf(m: DriverManifest, networkDriver: string): DockerNetworking {
  const net = m.network ?? {};
  const swarm = net.spansHosts === 'swarm' || m.docker?.swarm === true;
  return {
    networkDriver,
    global: swarm,
    attachable: swarm,
    perHost: net.spansHosts === 'per-host',
    splitRangePerHost: net.splitRangePerHost ?? false,
    ...(net.options ? { options: net.options } : {}),
    ...(net.ipamDriver ? { ipamDriver: net.ipamDriver } : {}),
    ...(net.ipamOptions ? { ipamOptions: net.ipamOptions } : {}),
  };
}

/** The driver id results carry: `<kind>:<name>`. */
export function manifestDriverId(m: DriverManifest): string {
  return `${m.kind}:${m.name}`;
}
