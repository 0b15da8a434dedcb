import { chmod, copyFile, cp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mustRun } from './linux/command.ts';

/**
 * A root filesystem put together from this machine's files — no registry is reachable — for images
 * and managed plugins built locally: binaries with the shared libraries `ldd` lists, whole trees
 * (iptables' extensions …), links and small files.
 */
export interface RootfsSpec {
  /** Where in the rootfs → the machine's binary (its libraries follow it). */
  binaries: Record<string, string>;
  /** Where in the rootfs → a directory of the machine, copied whole. */
  trees?: Record<string, string>;
  /** Where in the rootfs → what it points to. */
  links?: Record<string, string>;
  /** Where in the rootfs → the content. */
  files?: Record<string, string>;
}

/** The libraries `ldd` lists for a binary, the loader included (none for a static one). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { output } = await mustRun(['ldd', binary]).catch(() => ({ output: '' }));
  return [...output.matchAll(/(\/\S+)/g)].map((m) => m[1]!);
}

/** Builds the rootfs at `root` (replacing what was there). */
export async function assembleRootfs(root: string, spec: RootfsSpec): Promise<void> {
  await rm(root, { recursive: true, force: true });
  for (const d of ['tmp', 'etc', 'run', 'proc', 'sys', 'dev']) await mkdir(`${root}/${d}`, { recursive: true });
  await chmod(`${root}/tmp`, 0o1777);
  const libraries = new Set<string>();
  for (const [to, from] of Object.entries(spec.binaries)) {
    await mkdir(`${root}${dirname(to)}`, { recursive: true });
    await copyFile(from, `${root}${to}`);
    for (const lib of await sharedLibraries(from)) libraries.add(lib);
  }
  for (const lib of libraries) {
    await mkdir(`${root}${dirname(lib)}`, { recursive: true });
    await copyFile(lib, `${root}${lib}`);
  }
  for (const [to, from] of Object.entries(spec.trees ?? {})) await cp(from, `${root}${to}`, { recursive: true });
  for (const [to, target] of Object.entries(spec.links ?? {})) {
    await mkdir(`${root}${dirname(to)}`, { recursive: true });
    await symlink(target, `${root}${to}`);
  }
  for (const [to, content] of Object.entries(spec.files ?? {})) {
    await mkdir(`${root}${dirname(to)}`, { recursive: true });
    await writeFile(`${root}${to}`, content);
  }
}
