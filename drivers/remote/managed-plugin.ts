import { readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import type { LabHost } from '../../lab/host.ts';
import { mustRun } from '../../lab/linux/command.ts';
import { awaitPlugin, type PluginProcess, type PluginWait } from './plugin-ready.ts';

export type ManagedLaunch = Omit<PluginWait, 'started' | 'sockets' | 'activate'> & {
  /** A directory holding config.json and rootfs/, or a tar of one: what `docker plugin create` takes. */
  source: string;
};

interface PluginConfig {
  interface?: { socket?: string };
}

/** The plugin as `docker plugin create` wants it: a tar with config.json and rootfs/ at its top. */
async function packageTar(source: string, dataDir: string, name: string): Promise<string> {
  if (!(await stat(source)).isDirectory()) return source;
  for (const needed of ['config.json', 'rootfs'])
    if (!(await stat(`${source}/${needed}`).catch(() => undefined)))
      throw new Error(`managed plugin ${source}: no ${needed} there (a plugin is config.json beside rootfs/)`);
  const tar = `${dataDir}/managed-${name}.tar`;
  await mustRun(['tar', '-C', source, '-cf', tar, 'config.json', 'rootfs']);
  return tar;
}

async function socketName(source: string, tar: string): Promise<string> {
  const text = (await stat(source)).isDirectory()
    ? await readFile(`${source}/config.json`, 'utf8')
    : (await mustRun(['tar', '-xOf', tar, 'config.json'])).output;
  const socket = (JSON.parse(text) as PluginConfig).interface?.socket;
  if (!socket) throw new Error(`managed plugin ${source}: config.json names no interface.socket`);
  return socket;
}

/**
 * Where the harness reaches a plugin's socket. The engine makes it at `/run/docker/plugins/<plugin
 * id>/<socket>`, on a lab host the host's own plugin directory; that path is longer than a unix
 * socket address may be (108 bytes), so a short link beside the host's data points at its directory.
 */
async function socketPath(host: LabHost, id: string, socket: string): Promise<string> {
  const link = `${host.descriptor.dataDir}/m-${id.slice(0, 12)}`;
  await rm(link, { force: true });
  await symlink(`${host.descriptor.pluginDir}/${id}`, link);
  return `${link}/${socket}`;
}

/**
 * Installs a managed (v2) plugin built locally on a lab host's engine — `docker plugin create` from
 * the package, then `enable` — and waits until it answers on the socket the engine made for it
 * (never `Plugin.Activate`: Docker activates managed plugins itself). Stopping disables and removes
 * it. What it printed (the engine logs it as plugin=<id>) is copied to the log file.
 */
export async function startManagedPlugin(launch: ManagedLaunch): Promise<PluginProcess> {
  const { host } = launch;
  const docker = host.docker;
  const tar = await packageTar(launch.source, host.descriptor.dataDir!, launch.name);
  const socket = await socketName(launch.source, tar);
  const ref = `${launch.name}:latest`;
  await new Promise<void>((resolve, reject) =>
    docker.modem.dial(
      {
        path: '/plugins/create?',
        method: 'POST',
        options: { name: ref },
        file: tar,
        headers: { 'Content-Type': 'application/x-tar' },
        statusCodes: { 200: true, 204: true, 400: 'bad parameter', 500: 'server error' },
      },
      (e: Error | null) => (e ? reject(e) : resolve()),
    ),
  );
  // the second argument is the remote reference, for pulls: none, it was created here
  const plugin = docker.getPlugin(ref, undefined);
  const remove = async () => {
    await plugin.disable({ force: true }).catch(() => undefined);
    await plugin.remove({ force: true }).catch(() => undefined);
  };
  let enableError: string | undefined;
  await plugin.enable({ timeout: 30 }).catch((e: Error) => (enableError = `could not be enabled: ${e.message}`));
  const info = (await plugin.inspect()) as { Id: string };
  const flushLog = async () => {
    const engineLog = await readFile(`${host.descriptor.dataDir}/dockerd.log`, 'utf8').catch(() => '');
    const mine = engineLog.split('\n').filter((l) => l.includes(`plugin=${info.Id}`));
    await writeFile(launch.logFile, `${mine.join('\n')}\n`);
  };
  return awaitPlugin(
    {
      ...launch,
      sockets: [await socketPath(host, info.Id, socket)],
      activate: false,
      started: `docker plugin create ${ref} ${launch.source}; docker plugin enable ${ref} (id ${info.Id.slice(0, 12)})`,
    },
    {
      exited: () => enableError,
      stop: async () => {
        await flushLog();
        await remove();
      },
      flushLog,
    },
  );
}
