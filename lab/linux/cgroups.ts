import { readFile, readdir, rmdir } from 'node:fs/promises';

const ROOT = '/sys/fs/cgroup';

/** Every hierarchy's root directory (cgroup v1 controllers, or the single v2 root). */
async function hierarchies(): Promise<string[]> {
  const entries = await readdir(ROOT, { withFileTypes: true }).catch(() => []);
  const v2 = entries.some((e) => e.name === 'cgroup.procs');
  if (v2) return [ROOT];
  return entries.filter((e) => e.isDirectory()).map((e) => `${ROOT}/${e.name}`);
}

async function subtree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const dirs = [dir];
  for (const e of entries) if (e.isDirectory()) dirs.push(...(await subtree(`${dir}/${e.name}`)));
  return dirs;
}

/** Top-level cgroup directories whose name matches, in every hierarchy. */
export async function findCgroups(match: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const h of await hierarchies()) {
    for (const e of await readdir(h, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory() && match(e.name)) out.push(`${h}/${e.name}`);
    }
  }
  return out;
}

export async function pidsIn(cgroup: string): Promise<number[]> {
  const pids = new Set<number>();
  for (const dir of await subtree(cgroup)) {
    const text = await readFile(`${dir}/cgroup.procs`, 'utf8').catch(() => '');
    for (const l of text.split('\n')) if (l.trim()) pids.add(Number(l));
  }
  return [...pids];
}

/** Removes a cgroup and its children, deepest first; a cgroup with processes left stays. */
export async function removeCgroup(cgroup: string): Promise<void> {
  for (const dir of (await subtree(cgroup)).reverse()) await rmdir(dir).catch(() => undefined);
}
