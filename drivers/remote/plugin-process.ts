import { execa, type ResultPromise } from 'execa';
import { hostViewScript } from '../../lab/host-view.ts';
import { netnsPath } from '../../lab/linux/command.ts';
import { sleep } from '../../lab/wait.ts';
import { awaitPlugin, type PluginProcess, type PluginWait } from './plugin-ready.ts';

/** This harness as a command (`{harness}` in a manifest's launch command): node and the CLI. */
export const HARNESS_COMMAND = [process.execPath, new URL('../../bin/cnm-harness.mjs', import.meta.url).pathname];

export type PluginLaunch = Omit<PluginWait, 'started'> & { argv: string[] };

/**
 * Starts the plugin in the host's view — its network namespace and a mount namespace where Docker's
 * plugin directories are the host's and /etc, /var/lib, /usr/lib and /run are private to it (see
 * host-view.ts) — and waits until it answers (see awaitPlugin). Its output goes to the log file.
 */
export async function startPluginProcess(launch: PluginLaunch): Promise<PluginProcess> {
  const { host, argv, logFile } = launch;
  const view = hostViewScript(host.descriptor, `plugin-${launch.name}`);
  const child: ResultPromise = execa(
    'nsenter',
    [
      `--net=${netnsPath(host.netns!)}`,
      '--',
      ...['unshare', '--mount', '--propagation', 'unchanged', '--'],
      ...['sh', '-c', `${view}\nexec "$@"`, 'sh', ...argv],
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
  return awaitPlugin(
    { ...launch, started: argv.join(' ') },
    {
      exited: () => exit,
      stop: async () => {
        child.kill('SIGTERM');
        await Promise.race([child, sleep(5_000)]);
        child.kill('SIGKILL');
        await child;
      },
      kill: async () => {
        child.kill('SIGKILL');
        await child;
      },
    },
  );
}
