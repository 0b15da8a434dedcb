import { execa, type ResultPromise } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import { hostPluginDirs, hostViewScript, PLUGIN_PATHS } from '../../lab/host-view.ts';
import type { LabHost } from '../../lab/host.ts';
import { netnsPath } from '../../lab/linux/command.ts';
import { sleep } from '../../lab/wait.ts';
import { describeExchange, PluginClient, resolvePluginAddress, type PluginAddress } from './plugin-client.ts';

const READY_SECONDS = 30;
const LOG_LINES = 15;

/** This harness as a command (`{harness}` in a manifest's launch command): node and the CLI. */
export const HARNESS_COMMAND = [process.execPath, new URL('../../bin/cnm-harness.mjs', import.meta.url).pathname];

export interface PluginLaunch {
  host: LabHost;
  /** The name Docker finds it by: what the wait looks for when the manifest names no sockets. */
  name: string;
  argv: string[];
  /** Sockets the manifest names (each must answer); absent: NAME.sock, or a NAME.spec/.json spec file. */
  sockets?: string[];
  logFile: string;
  /** Send `Plugin.Activate` (legacy plugins); otherwise `NetworkDriver.GetCapabilities` shows it is up. */
  activate: boolean;
  /** How long it gets to answer (default 30 s). */
  readySeconds?: number;
}

/** A plugin process running in a lab host's view (its network and mount namespaces). */
export interface PluginProcess extends AsyncDisposable {
  host: LabHost;
  logFile: string;
  /** Where the harness reaches it: its socket, or a relay into the host's loopback for a tcp:// spec. */
  address: PluginAddress;
  stop(): Promise<void>;
}

/** Where the plugin said it is, seen from the machine, if it said so yet. */
async function discover(launch: PluginLaunch): Promise<string | undefined> {
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
  launch: PluginLaunch,
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
 * Starts the plugin in the host's view — its network namespace and a mount namespace where Docker's
 * plugin directories are the host's and /etc, /var/lib, /usr/lib and /run are private to it (see
 * host-view.ts) — and waits until it answers where it said it would. Output goes to `logFile`. A
 * plugin that exits or does not answer in time (30 s unless told) is an error that says what was expected where,
 * what appeared instead, how it exited, and how its log ends.
 */
export async function startPluginProcess(launch: PluginLaunch): Promise<PluginProcess> {
  const { host, argv, logFile } = launch;
  const view = hostViewScript(host.descriptor, `plugin-${launch.name}`);
  const child: ResultPromise = execa(
    'nsenter',
    [
      `--net=${netnsPath(host.netns!)}`,
      '--',
      'unshare',
      '--mount',
      '--propagation',
      'unchanged',
      '--',
      'sh',
      '-c',
      `${view}\nexec "$@"`,
      'sh',
      ...argv,
    ],
    {
      stdout: { file: logFile, append: true },
      stderr: { file: logFile, append: true },
      stdin: 'ignore',
      reject: false,
    },
  );
  let exit: string | undefined;
  void child.then((r) => (exit = r.signal ? `was killed by ${r.signal}` : `exited with status ${r.exitCode}`));
  let relay: ReturnType<typeof relayInto> | undefined;
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([child, sleep(5_000)]);
    child.kill('SIGKILL');
    await child;
    relay?.stop();
  };

  const readySeconds = launch.readySeconds ?? READY_SECONDS;
  const deadline = Date.now() + readySeconds * 1000;
  const ping = (address: PluginAddress) =>
    new PluginClient(address, 1_000).call(launch.activate ? 'Plugin.Activate' : 'NetworkDriver.GetCapabilities');
  let lastTry: string | undefined;
  let address: PluginAddress | undefined;
  const answered = async (where: string): Promise<boolean> => {
    let target = await resolvePluginAddress(where).catch((e: Error) => {
      lastTry = `${where}: ${e.message}`;
      return undefined;
    });
    if (!target) return false;
    if ('port' in target) {
      relay ??= relayInto(launch, target);
      target = relay.address;
    }
    const e = await ping(target);
    if (e.status === 200) {
      address ??= target;
      return true;
    }
    lastTry = `${where}: ${describeExchange(e)}`;
    return false;
  };
  for (;;) {
    if (launch.sockets) {
      let all = true;
      for (const s of launch.sockets) if (!(await answered(s))) all = false;
      if (all) break;
    } else {
      const where = await discover(launch);
      if (where && (await answered(where))) break;
    }
    if (exit || Date.now() > deadline) {
      const how = exit ?? `did not answer within ${readySeconds} s and was stopped`;
      if (!exit) await stop();
      throw new Error(await notUp(launch, how, lastTry));
    }
    await sleep(100);
  }
  return { host, logFile, address: address!, stop, [Symbol.asyncDispose]: stop };
}

async function notUp(launch: PluginLaunch, how: string, lastTry: string | undefined): Promise<string> {
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
    `  command: ${launch.argv.join(' ')}`,
    `  its log (${launch.logFile}, copied to the report's logs/ at the end) ends:`,
    ...(log.length && log[0] ? log.map((l) => `    ${l}`) : ['    (empty)']),
  ].join('\n');
}
