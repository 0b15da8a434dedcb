import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { STATE_DIR, runNames } from './run-id.ts';

/** The file that says a run is alive: which process owns it and what it brought up. */
export interface RunState {
  runId: string;
  pid: number;
  startedAt: string;
  kind: 'netns' | 'local' | 'remote';
  hosts: string[];
  /** A remote lab's file: `clean` reaches its hosts again to remove what a killed run left there. */
  labFile?: string;
  /** A local lab's engine when it is not the machine's default socket (DOCKER_HOST …): `clean` reaps there too. */
  engineSocket?: string;
  /** Made by `lab up`: outlives its process until `lab down` (clean leaves it unless --all). */
  persistent?: boolean;
}

export async function writeRunState(state: RunState): Promise<void> {
  await mkdir(STATE_DIR, { recursive: true });
  await writeFile(runNames(state.runId).stateFile, JSON.stringify(state, null, 2));
}

export async function removeRunState(runId: string): Promise<void> {
  await rm(runNames(runId).stateFile, { force: true });
}

export async function readRunStates(): Promise<RunState[]> {
  let files: string[];
  try {
    files = await readdir(STATE_DIR);
  } catch {
    return [];
  }
  const states: RunState[] = [];
  for (const f of files.filter((f) => f.endsWith('.json'))) {
    try {
      states.push(JSON.parse(await readFile(`${STATE_DIR}/${f}`, 'utf8')) as RunState);
    } catch {
      // a half-written state file belongs to a run that died while starting; the reaper finds it by name
    }
  }
  return states;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
