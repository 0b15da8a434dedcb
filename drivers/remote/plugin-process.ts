import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';
import type { LabHost } from '../../lab/host.ts';
import { netnsPath } from '../../lab/linux/command.ts';
import { PluginClient } from './plugin-client.ts';

const READY_TIMEOUT_MS = 30_000;

/** This harness as a command (`{harness}` in a manifest's launch command): node and the CLI. */
export const HARNESS_COMMAND = [process.execPath, new URL('../../bin/cnm-harness.mjs', import.meta.url).pathname];

/** A plugin process running in a lab host's network namespace. */
export interface PluginProcess extends AsyncDisposable {
  host: LabHost;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts `argv` inside the host's network namespace (the engine's: interfaces a plugin makes there
 * are the ones Docker moves into containers) and waits until every socket answers — `Plugin.Activate`,
 * or `GetCapabilities` for a plugin that is never activated. Output goes to `logFile`; a process
 * that exits or stays silent for 30 s is an error with the log's tail in it.
 */
export async function startPluginProcess(
  host: LabHost,
  argv: string[],
  sockets: string[],
  logFile: string,
  activate = true,
): Promise<PluginProcess> {
  const child: ResultPromise = execa('nsenter', [`--net=${netnsPath(host.netns!)}`, '--', ...argv], {
    stdout: { file: logFile, append: true },
    stderr: { file: logFile, append: true },
    stdin: 'ignore',
    reject: false,
  });
  let exited = false;
  void child.then(() => (exited = true));
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([child, new Promise((r) => setTimeout(r, 5_000))]);
    child.kill('SIGKILL');
    await child;
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const socket of sockets) {
    const client = new PluginClient({ socketPath: socket }, 1_000);
    for (;;) {
      const e = await client.call(activate ? 'Plugin.Activate' : 'NetworkDriver.GetCapabilities');
      if (e.status === 200) break;
      if (exited || Date.now() > deadline) {
        await stop();
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(
          `plugin ${argv.join(' ')} did not come up on ${socket}${exited ? ' (it exited)' : ''}; ` +
            `log ${logFile}:\n${log.trim().split('\n').slice(-15).join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { host, logFile, stop, [Symbol.asyncDispose]: stop };
}
