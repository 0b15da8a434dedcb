import { execa } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import { hostPluginDirs, PLUGIN_PATHS } from '../../lab/host-view.ts';
import type { LabHost } from '../../lab/host.ts';
import { netnsPath } from '../../lab/linux/command.ts';
import { sleep } from '../../lab/wait.ts';
import { describeExchange, PluginClient, resolvePluginAddress, type PluginAddress } from './plugin-client.ts';

const READY_SECONDS = 30;
const LOG_LINES = 15;

/** What the harness waits for once a plugin was started on a lab host, however it was started. */
export interface PluginWait {
  host: LabHost;
  /** The name Docker finds it by: what the wait looks for when no sockets are named. */
  name: string;
  /** How it was started, for the messages. */
  started: string;
  /** Sockets to wait for (each must answer); absent: NAME.sock, or a NAME.spec/.json spec file. */
  sockets?: string[];
  logFile: string;
  /** Send `Plugin.Activate` (legacy plugins); otherwise `NetworkDriver.GetCapabilities` shows it is up. */
  activate: boolean;
  /** How long it gets to answer (default 30 s). */
  readySeconds?: number;
}

/** A started plugin, as the wait sees it: whether it ended, how to stop it, how to bring its log up to date. */
export interface RunningPlugin {
  /** How it ended ("exited with status 3"), or undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would, and waits until it is gone; where the harness can. */
  kill?(): Promise<void>;
  /** Writes what it printed so far into the log file (a container's logs); a process writes there itself. */
  flushLog?(): Promise<void>;
}

/** A plugin running on a lab host and answering. */
export interface PluginProcess extends AsyncDisposable {
  host: LabHost;
  logFile: string;
  /** Where the harness reaches it: its socket, or a relay into the host's loopback for a tcp:// spec. */
  address: PluginAddress;
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would; where the harness can. */
  kill?(): Promise<void>;
}

/** Where the plugin said it is, seen from the machine, if it said so yet. */
async function discover(launch: PluginWait): Promise<string | undefined> {
  const dirs = hostPluginDirs(launch.host.descriptor.dataDir!);
  const candidates = [
    `${dirs.sockets}/${launch.name}.sock`,
    ...[dirs.etcSpecs, dirs.libSpecs].flatMap((d) => [`${d}/${launch.name}.spec`, `${d}/${launch.name}.json`]),
  ];
  for (const c of candidates)
    if (
      await readFile(c).then(
        () => true,
        (e: NodeJS.ErrnoException) => e.code !== 'ENOENT',
      )
    )
      return c;
  return undefined;
}

/** What is in the host's three plugin directories, named as the host sees them. */
async function foundInPluginDirs(host: LabHost): Promise<string[]> {
  const dirs = hostPluginDirs(host.descriptor.dataDir!);
  const seen: string[] = [];
  for (const [key, dir] of Object.entries(dirs) as [keyof typeof PLUGIN_PATHS, string][])
    for (const f of await readdir(dir).catch(() => [])) seen.push(`${PLUGIN_PATHS[key]}/${f}`);
  return seen;
}

/**
 * A tcp:// spec names the host's loopback, which only its network namespace reaches: socat there
 * relays a unix socket beside the host's data to it, and the harness talks to that.
 */
function relayInto(
  launch: PluginWait,
  address: { host: string; port: number },
): { address: PluginAddress; stop: () => void } {
  const socketPath = `${launch.host.descriptor.dataDir}/relay-${launch.name}.sock`;
  const relay = execa(
    'nsenter',
    [
      `--net=${netnsPath(launch.host.netns!)}`,
      '--',
      'socat',
      `UNIX-LISTEN:${socketPath},fork,unlink-early`,
      `TCP:${address.host}:${address.port}`,
    ],
    { reject: false, stdio: 'ignore' },
  );
  return { address: { socketPath }, stop: () => void relay.kill('SIGKILL') };
}

/**
 * Waits until a started plugin answers where it said it would (Plugin.Activate, or GetCapabilities
 * for one that is never activated). One that ends or stays silent past its time is stopped, and the
 * error says what was expected where, what appeared instead, how it ended and how its log ends.
 */
export async function awaitPlugin(wait: PluginWait, running: RunningPlugin): Promise<PluginProcess> {
  let relay: ReturnType<typeof relayInto> | undefined;
  const stop = async () => {
    await running.stop();
    relay?.stop();
  };
  const readySeconds = wait.readySeconds ?? READY_SECONDS;
  const deadline = Date.now() + readySeconds * 1000;
  // each try gets 3 s: a plugin starting on a loaded machine (a TypeScript one compiles as it loads)
  // may take over a second to answer its first calls; the whole wait is still readySeconds
  const ping = (address: PluginAddress) =>
    new PluginClient(address, 3_000).call(wait.activate ? 'Plugin.Activate' : 'NetworkDriver.GetCapabilities');
  let lastTry: string | undefined;
  // where each named socket or discovered path answered: the plugin is reached at the first one named
  const answering = new Map<string, PluginAddress>();
  const answered = async (where: string): Promise<boolean> => {
    let target = await resolvePluginAddress(where).catch((e: Error) => {
      lastTry = `${where}: ${e.message}`;
      return undefined;
    });
    if (!target) return false;
    if ('port' in target) {
      relay ??= relayInto(wait, target);
      target = relay.address;
    }
    const e = await ping(target);
    if (e.status === 200) {
      answering.set(where, target);
      return true;
    }
    lastTry = `${where}: ${describeExchange(e)}`;
    return false;
  };
  let address: PluginAddress | undefined;
  for (;;) {
    if (wait.sockets) {
      let all = true;
      for (const s of wait.sockets) if (!answering.has(s) && !(await answered(s))) all = false;
      address = all ? answering.get(wait.sockets[0]!) : undefined;
    } else {
      const where = await discover(wait);
      address = where && (await answered(where)) ? answering.get(where) : undefined;
    }
    if (address) break;
    const exit = running.exited();
    if (exit || Date.now() > deadline) {
      const how = exit ?? `did not answer within ${readySeconds} s and was stopped`;
      await running.flushLog?.();
      await stop();
      throw new Error(await notUp(wait, how, lastTry));
    }
    await sleep(100);
  }
  const kill = running.kill?.bind(running);
  return {
    host: wait.host,
    logFile: wait.logFile,
    address,
    stop,
    ...(kill
      ? {
          kill: async () => {
            await kill();
            relay?.stop();
          },
        }
      : {}),
    [Symbol.asyncDispose]: stop,
  };
}

async function notUp(launch: PluginWait, how: string, lastTry: string | undefined): Promise<string> {
  const dirs = hostPluginDirs(launch.host.descriptor.dataDir!);
  const expected = launch.sockets
    ? launch.sockets.join(', ')
    : `${PLUGIN_PATHS.sockets}/${launch.name}.sock, or ${launch.name}.spec or ${launch.name}.json in ` +
      `${PLUGIN_PATHS.etcSpecs} or ${PLUGIN_PATHS.libSpecs} (the host's own directories; on this machine ` +
      `${Object.values(dirs).join(', ')})`;
  const found = await foundInPluginDirs(launch.host);
  const log = (await readFile(launch.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-LOG_LINES);
  return [
    `plugin ${launch.name} on ${launch.host.name} did not come up: it ${how}.`,
    `  expected: ${expected}`,
    `  found in the plugin directories: ${found.length ? found.join(', ') : 'nothing'}`,
    ...(lastTry ? [`  last try: ${lastTry}`] : []),
    `  started: ${launch.started}`,
    `  its log (${launch.logFile}, copied to the report's logs/ at the end) ends:`,
    ...(log.length && log[0] ? log.map((l) => `    ${l}`) : ['    (empty)']),
  ].join('\n');
}
