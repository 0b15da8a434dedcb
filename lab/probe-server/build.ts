import { createHash } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { mustRun } from '../linux/command.ts';

const SOURCE = new URL('./probe-server.c', import.meta.url);
const CACHE_DIR = '/var/cache/cnm-harness';

/**
 * The probe server (probe-server.c) built for this machine, once per source: a static binary, so
 * the probe image carries it without libraries and native sandboxes run the same file.
 */
export async function probeServerBinary(): Promise<string> {
  const source = await readFile(SOURCE);
  const out = `${CACHE_DIR}/probe-server-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`;
  if (
    await access(out).then(
      () => true,
      () => false,
    )
  )
    return out;
  await mkdir(CACHE_DIR, { recursive: true });
  try {
    await mustRun(['cc', '-O2', '-static', '-o', `${out}.partial`, SOURCE.pathname]);
  } catch (e) {
    throw new Error(
      `cannot build the probe server (${SOURCE.pathname}): ${e instanceof Error ? e.message : String(e)}. ` +
        "Fix: run 'npm run setup' (installs gcc and libc6-dev).",
      { cause: e },
    );
  }
  await mustRun(['mv', `${out}.partial`, out]);
  return out;
}
