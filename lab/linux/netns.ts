import { readdir } from 'node:fs/promises';
import { mustRun, netnsPath, run } from './command.ts';
import { kill, processesInNetns, waitForExit } from './processes.ts';

export async function listNetns(): Promise<string[]> {
  try {
    return (await readdir('/run/netns')).sort();
  } catch {
    return [];
  }
}

export async function addNetns(name: string): Promise<void> {
  await mustRun(['ip', 'netns', 'add', name]);
  await mustRun(['ip', 'link', 'set', 'lo', 'up'], { netns: name });
}

/**
 * Kills every process still inside the namespace, then deletes it. Deleting only the name would
 * leave such processes running, holding the namespace alive out of sight.
 */
export async function deleteNetns(name: string): Promise<number> {
  if (!(await listNetns()).includes(name)) return 0;
  const pids = (await processesInNetns(netnsPath(name))).filter((p) => p !== process.pid);
  for (const p of pids) kill(p, 'SIGKILL');
  await Promise.all(pids.map((p) => waitForExit(p, 5_000)));
  await run(['ip', 'netns', 'delete', name]);
  return pids.length;
}
