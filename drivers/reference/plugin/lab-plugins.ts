import { join } from 'node:path';
import type { LabHost } from '../../../lab/host.ts';
import type { StartedLab } from '../../../lab/lab.ts';
import { HARNESS_COMMAND } from '../../remote/plugin-process.ts';
import { LaunchedPlugins, type PluginRestart } from '../../remote/plugin-restart.ts';
import { PLUGIN_NAMES } from './serve.ts';

/** The reference plugin process of one lab host. */
export interface HostPlugins {
  host: LabHost;
  /** Socket per plugin name, in the host's plugin directory (seen from the root namespace). */
  sockets: Record<string, string>;
  logFile: string;
}

export interface LabPlugins extends AsyncDisposable {
  hosts: HostPlugins[];
  /** Kills the process serving `host` and starts it again (the resilience suite). */
  restart(host: LabHost): Promise<PluginRestart>;
  stop(): Promise<void>;
}

/** The running plugin processes of a lab, and how many drivers use them. */
const shared = new WeakMap<StartedLab, { users: number; plugins: Promise<LabPlugins> }>();

/**
 * The reference plugins on every lab host, shared: ref-bridge@docker and ref-overlay@docker use the
 * same process (one socket per plugin name in each host's plugin directory), side by side or one
 * after the other. It is started by the first user and stopped when the last one stops.
 */
export async function startLabPlugins(lab: StartedLab): Promise<LabPlugins> {
  let entry = shared.get(lab);
  if (!entry) {
    entry = { users: 0, plugins: launchLabPlugins(lab) };
    shared.set(lab, entry);
    const failed = entry;
    entry.plugins.catch(() => shared.get(lab) === failed && shared.delete(lab));
  }
  entry.users++;
  const plugins = await entry.plugins.catch((e: unknown) => {
    entry.users--;
    throw e;
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (--entry.users > 0) return;
    shared.delete(lab);
    await plugins.stop();
  };
  return { hosts: plugins.hosts, restart: (host) => plugins.restart(host), stop, [Symbol.asyncDispose]: stop };
}

/** How long the reference plugins' process is given to answer on every socket. */
const LAB_PLUGIN_READY_SECONDS = 90;

/**
 * Starts the reference plugins on every netns lab host, all at once: one `cnm-harness plugin serve`
 * in each host's view (its network namespace, its plugin directories), its sockets in the host's
 * plugin directory, where that host's engine (and only it) finds them.
 */
async function launchLabPlugins(lab: StartedLab): Promise<LabPlugins> {
  const names = lab.descriptor.kv ? Object.values(PLUGIN_NAMES) : [PLUGIN_NAMES.bridge];
  const hosts: HostPlugins[] = lab.hosts.map((host) => ({
    host,
    sockets: Object.fromEntries(names.map((n) => [n, join(host.descriptor.pluginDir, `${n}.sock`)])),
    logFile: join(host.descriptor.dataDir!, 'plugin.log'),
  }));
  const launched = await LaunchedPlugins.start(
    hosts.map(({ host, sockets, logFile }) => {
      const args = [
        'plugin',
        'serve',
        '--dir',
        host.descriptor.pluginDir,
        '--host-name',
        host.name,
        '--uplink',
        'eth0',
        '--address',
        host.descriptor.underlayAddress!,
        // where the plugin keeps what it must know again after a crash: the host's data dir
        '--state-dir',
        join(host.descriptor.dataDir!, 'plugin-state'),
      ];
      if (lab.descriptor.kv)
        args.push('--kv-socket', lab.descriptor.kv.socketPath, '--kv-prefix', lab.descriptor.kv.prefix);
      return {
        host,
        name: 'cnm-ref',
        argv: [...HARNESS_COMMAND, ...args],
        sockets: Object.values(sockets),
        logFile,
        activate: true,
        // the harness's own CLI, loaded whole: on a machine this busy (CI with both CPUs taken and four test
        // files at once) it once had not listened after 30 s, the default bound for a plugin
        readySeconds: LAB_PLUGIN_READY_SECONDS,
      };
    }),
  );
  const stop = () => launched.stop();
  return { hosts, restart: (host) => launched.restart(host), stop, [Symbol.asyncDispose]: stop };
}
