import { readdir } from 'node:fs/promises';
import { mustRun, run } from './command.ts';

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

export async function deleteNetns(name: string): Promise<void> {
  if ((await listNetns()).includes(name)) await run(['ip', 'netns', 'delete', name]);
}
