import type Dockerode from 'dockerode';
import { getContainerRuntimeClient } from 'testcontainers';
import { REAPER_IMAGE } from 'testcontainers/build/reaper/reaper.js';
import { InputError } from './input-error.ts';

/** The engine `--lab local` uses, found the way testcontainers finds one. */
export interface LocalEngine {
  socketPath: string;
  /** How it was found, for results.json: DOCKER_HOST, the Testcontainers settings, the default socket … */
  foundBy: string;
  /** Who removes a killed run's containers before `clean`: testcontainers' Ryuk, or the harness's reaper. */
  reaper: 'ryuk' | 'harness';
}

function foundBy(env: NodeJS.ProcessEnv): string {
  if (env.TESTCONTAINERS_HOST_OVERRIDE || env.TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE) return 'Testcontainers overrides';
  if (env.DOCKER_HOST) return `DOCKER_HOST=${env.DOCKER_HOST}`;
  return 'testcontainers runtime strategies (settings file, default and rootless sockets)';
}

/**
 * Whether Ryuk, testcontainers' reaper, can run: its image must already be on the engine (no
 * registry is reachable here). The user's TESTCONTAINERS_RYUK_DISABLED wins either way.
 */
async function chooseReaper(docker: Dockerode): Promise<LocalEngine['reaper']> {
  const said = process.env.TESTCONTAINERS_RYUK_DISABLED;
  if (said !== undefined) return said === 'true' ? 'harness' : 'ryuk';
  const present = await docker
    .getImage(REAPER_IMAGE)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (!present) process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  return present ? 'ryuk' : 'harness';
}

/**
 * Finds the engine of the user's machine with testcontainers' runtime strategies (its settings file
 * and environment, DOCKER_HOST, the default and rootless sockets), as their test suites would.
 * A unix socket only: an engine over tcp:// is a remote host (`--lab remote`).
 */
export async function discoverLocalEngine(): Promise<LocalEngine> {
  let client;
  try {
    client = await getContainerRuntimeClient();
  } catch (e) {
    throw new InputError(
      `no Docker engine found (testcontainers looked at DOCKER_HOST, ~/.testcontainers.properties, ` +
        `/var/run/docker.sock and the rootless sockets: ${(e as Error).message}). Fix: run 'npm run setup' ` +
        '(starts dockerd), set DOCKER_HOST=unix:///path/to/docker.sock, or use --lab netns.',
    );
  }
  const docker = client.container.dockerode;
  const socketPath = (docker.modem as { socketPath?: string }).socketPath;
  if (!socketPath)
    throw new InputError(
      `--lab local found the engine at ${client.info.containerRuntime.host} over TCP: the local lab enters ` +
        "containers' namespaces on this machine, so it needs a unix socket. Fix: point DOCKER_HOST at the " +
        'socket, or describe that engine in a lab file and use --lab remote.',
    );
  // testcontainers goes on to the next strategy when one fails: a DOCKER_HOST the user set that does
  // not answer must not quietly become the machine's default engine
  const asked = process.env.DOCKER_HOST;
  if (asked?.startsWith('unix://') && asked.slice('unix://'.length) !== socketPath)
    throw new InputError(
      `DOCKER_HOST=${asked} does not answer (testcontainers fell back to ${socketPath}). Fix: start that engine, ` +
        'correct DOCKER_HOST, or unset it to use the default socket.',
    );
  return { socketPath, foundBy: foundBy(process.env), reaper: await chooseReaper(docker) };
}
