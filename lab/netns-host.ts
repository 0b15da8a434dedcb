import Dockerode from 'dockerode';
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { hostPluginDirs, hostViewScript } from './host-view.ts';
import type { HostDescriptor } from './host.ts';
import { netnsPath } from './linux/command.ts';
import { addNetns } from './linux/netns.ts';
import { kill, waitForExit } from './linux/processes.ts';
import { runNames } from './run-id.ts';
import { hostUnderlayAddress, type Underlay } from './underlay.ts';

const READY_TIMEOUT_MS = 60_000;

export function netnsHostName(runId: string, index: number): string {
  return runNames(runId).netns(`h${index + 1}`);
}

/**
 * A simulated Docker host: its own dockerd in its own network, UTS and mount namespaces, with
 * private data and exec roots, its own plugin directories (bound over /run/docker/plugins,
 * /etc/docker/plugins and /usr/lib/docker/plugins in its mount namespace: see host-view.ts) and its
 * own cgroup parent, so a crash can be reaped by name.
 */
export async function startNetnsHost(runId: string, index: number, underlay: Underlay): Promise<HostDescriptor> {
  const n = runNames(runId);
  const role = `h${index + 1}`;
  const name = netnsHostName(runId, index);
  const dir = `${n.dataDir}/${role}`;
  const descriptor: HostDescriptor = {
    name,
    kind: 'netns',
    socketPath: `${dir}/docker.sock`,
    netns: name,
    underlayAddress: hostUnderlayAddress(index),
    underlayPort: role,
    dataDir: dir,
    pluginDir: hostPluginDirs(dir).sockets,
  };
  await mkdir(descriptor.pluginDir, { recursive: true });
  await addNetns(name);
  await underlay.plug(role, name, descriptor.underlayAddress!);

  descriptor.engineArgs = [
    `--data-root=${dir}/data`,
    `--exec-root=${dir}/exec`,
    `--pidfile=${dir}/docker.pid`,
    `--host=unix://${descriptor.socketPath}`,
    `--bip=172.30.${index + 1}.1/24`,
    `--cgroup-parent=/${name}`,
  ];
  await spawnEngine(descriptor, []);
  return descriptor;
}

/**
 * Starts the host's dockerd in fresh UTS and mount namespaces inside the host's network namespace,
 * with the host's own plugin directory, and waits until its API answers.
 */
async function spawnEngine(descriptor: HostDescriptor, extraArgs: string[]): Promise<void> {
  const { name, dataDir: dir } = descriptor;
  // a restart that keeps the engine's configuration (restartEngine) reads them back
  await writeFile(`${dir}/engine-extra-args.json`, JSON.stringify(extraArgs));
  const dockerd = ['dockerd', ...descriptor.engineArgs!, ...extraArgs].join(' ');
  const script = [`hostname ${name}`, hostViewScript(descriptor, 'engine'), `exec ${dockerd}`].join('\n');
  const log = await open(`${dir}/dockerd.log`, 'a');
  // detached: a Ctrl-C aimed at the harness must not reach dockerd before the harness tears it down
  const child = spawn(
    'nsenter',
    [`--net=${netnsPath(name)}`, 'unshare', '--uts', '--mount', '--propagation', 'private', 'sh', '-c', script],
    {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    },
  );
  child.unref();
  await log.close();
  const state: { exited?: number } = {};
  child.on('exit', (code) => (state.exited = code ?? -1));

  const docker = new Dockerode({ socketPath: descriptor.socketPath });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (
      await docker.ping().then(
        () => true,
        () => false,
      )
    )
      break;
    const { exited } = state;
    if (exited !== undefined || Date.now() > deadline) {
      const lines = (await readFile(`${dir}/dockerd.log`, 'utf8').catch(() => '')).split('\n');
      // the reason is in its last error or fatal lines, often before a tail of informational ones
      const errors = lines.filter((l) => /level=(error|fatal)|^failed to start daemon/.test(l)).slice(-3);
      const tail = [...errors, ...(errors.length ? ['…'] : []), ...lines.slice(-8)].join('\n');
      throw new Error(
        `dockerd of lab host ${name} ${exited !== undefined ? `exited (${exited})` : 'did not answer in time'}; ` +
          `its log ends:\n${tail}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The flags the engine runs with on top of the lab's own (a driver's cluster store …). */
async function currentExtraArgs(descriptor: HostDescriptor): Promise<string[]> {
  const text = await readFile(`${descriptor.dataDir}/engine-extra-args.json`, 'utf8').catch(() => '[]');
  return JSON.parse(text) as string[];
}

/** SIGTERM to the engine, SIGKILL after `graceMs`: what `systemctl restart docker` does. */
async function terminateEngine(descriptor: HostDescriptor, graceMs: number): Promise<void> {
  const pid = Number((await readFile(`${descriptor.dataDir}/docker.pid`, 'utf8').catch(() => '')).trim());
  if (pid > 0 && kill(pid, 'SIGTERM') && !(await waitForExit(pid, graceMs))) kill(pid, 'SIGKILL');
}

/**
 * Restarts the host's engine the way an administrator does, its containers left to it: stopped
 * and started again by their restart policy, or kept running with `--live-restore`. The engine comes
 * back with the flags it had, plus `addArgs`, minus `dropArgs`. Returns the flags it now runs with.
 */
export async function restartEngine(
  descriptor: HostDescriptor,
  change: { addArgs?: string[]; dropArgs?: string[] } = {},
): Promise<string[]> {
  const before = await currentExtraArgs(descriptor);
  const args = [...new Set([...before.filter((a) => !change.dropArgs?.includes(a)), ...(change.addArgs ?? [])])];
  await terminateEngine(descriptor, 30_000);
  await spawnEngine(descriptor, args);
  return args;
}

async function stopEngine(descriptor: HostDescriptor): Promise<void> {
  const docker = new Dockerode({ socketPath: descriptor.socketPath });
  const containers = await docker.listContainers({ all: true }).catch(() => []);
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  await terminateEngine(descriptor, 20_000);
}

/**
 * Restarts the host's engine with extra flags (or none: back to the lab's own configuration).
 * Its containers are removed first; images and the data root stay.
 */
export async function restartNetnsHost(descriptor: HostDescriptor, extraArgs: string[]): Promise<void> {
  await stopEngine(descriptor);
  await spawnEngine(descriptor, extraArgs);
}

/**
 * Removes the host's containers and stops its dockerd gracefully. What is left (shims, cgroups, the
 * namespace, the data dir) goes with the run's reaping (reapRun), the one path for a live or a dead run.
 */
export async function stopNetnsHost(descriptor: HostDescriptor): Promise<void> {
  await stopEngine(descriptor);
}
