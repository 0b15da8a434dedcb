import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * A fresh directory under the system's temp dir, removed when the current test ends (pass or fail).
 * Concurrent tests pass their own context's `onTestFinished`: vitest's global one cannot tell which
 * of several running tests is the current one.
 */
export async function testTempDir(prefix: string, onFinished: typeof onTestFinished = onTestFinished): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onFinished(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}
