import { readFile, readdir, readlink, stat } from 'node:fs/promises';

export interface ProcessInfo {
  pid: number;
  cmdline: string;
}

export async function listProcesses(): Promise<ProcessInfo[]> {
  const entries = await readdir('/proc');
  const out: ProcessInfo[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const raw = await readFile(`/proc/${e}/cmdline`, 'utf8');
      if (raw) out.push({ pid: Number(e), cmdline: raw.replaceAll('\0', ' ').trim() });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function kill(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!kill(pid, 0)) return true;
    // a zombie still answers signal 0; its state tells
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat || / Z /.test(stat)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Processes whose network namespace is the one bind-mounted at `nsPath` (`/run/netns/<name>`). */
export async function processesInNetns(nsPath: string): Promise<number[]> {
  const target = await stat(nsPath).catch(() => undefined);
  if (!target) return [];
  const want = `net:[${target.ino}]`;
  const out: number[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    if ((await readlink(`/proc/${e}/ns/net`).catch(() => '')) === want) out.push(Number(e));
  }
  return out;
}
