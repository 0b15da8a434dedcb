import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { LabHost } from '../../../lab/host.ts';
import type { StartedLab } from '../../../lab/lab.ts';
import { netnsPath } from '../../../lab/linux/command.ts';
import { PluginClient } from '../../remote/plugin-client.ts';
import { PLUGIN_NAMES } from './serve.ts';

const CLI = new URL('../../../bin/cnm-harness.mjs', import.meta.url).pathname;
const READY_TIMEOUT_MS = 30_000;

/** The reference plugin process of one lab host. */
export interface HostPlugins {
  host: LabHost;
  /** Socket per plugin name, in the host's plugin directory (seen from the root namespace). */
  sockets: Record<string, string>;
  logFile: string;
}

export interface LabPlugins extends AsyncDisposable {
  hosts: HostPlugins[];
  stop(): Promise<void>;
}

async function waitUntilServing(child: ResultPromise, sockets: string[], logFile: string): Promise<void> {
  let exited = false;
  void child.then(() => (exited = true), () => (exited = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const socket of sockets) {
    const client = new PluginClient({ socketPath: socket }, 1_000);
    for (;;) {
      const e = await client.call('Plugin.Activate');
      if (e.status === 200) break;
      if (exited || Date.now() > deadline) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(`the reference plugin did not come up on ${socket}${exited ? ' (it exited)' : ''}:\n${log.trim().split('\n').slice(-15).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts the reference plugins on every netns lab host: one `cnm-harness plugin serve` inside the
 * host's network namespace, its sockets in the host's plugin directory, where that host's engine
 * (and only it) finds them. Deleting the host's namespace kills the process too, so a crashed run
 * leaves nothing for long.
 */
export async function startLabPlugins(lab: StartedLab): Promise<LabPlugins> {
  const children: ResultPromise[] = [];
  const hosts: HostPlugins[] = [];
  const stop = async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => Promise.race([c.catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))])));
    for (const c of children) c.kill('SIGKILL');
    children.length = 0;
  };
  try {
    for (const host of lab.hosts) {
      const logFile = join(host.descriptor.dataDir!, 'plugin.log');
      const args = ['plugin', 'serve', '--dir', host.descriptor.pluginDir, '--host-name', host.name, '--uplink', 'eth0', '--address', host.descriptor.underlayAddress!];
      if (lab.descriptor.kv) args.push('--kv-socket', lab.descriptor.kv.socketPath, '--kv-prefix', lab.descriptor.kv.prefix);
      const child = execa('nsenter', [`--net=${netnsPath(host.netns!)}`, '--', process.execPath, CLI, ...args], {
        stdout: { file: logFile, append: true },
        stderr: { file: logFile, append: true },
        stdin: 'ignore',
        reject: false,
      });
      children.push(child);
      const names = lab.descriptor.kv ? Object.values(PLUGIN_NAMES) : [PLUGIN_NAMES.bridge];
      const sockets = Object.fromEntries(names.map((n) => [n, join(host.descriptor.pluginDir, `${n}.sock`)]));
      hosts.push({ host, sockets, logFile });
      await waitUntilServing(child, Object.values(sockets), logFile);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { hosts, stop, [Symbol.asyncDispose]: stop };
}
