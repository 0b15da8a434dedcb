import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { onTestFinished } from 'vitest';

/**
 * A fresh directory under the system's temp dir, removed when the test that asked for it ends (pass or fail).
 * The caller names its test's `onTestFinished`: a concurrent test must pass its own context's, because vitest's
 * global one cannot tell which of several running tests is the current one and would remove the directory when
 * another test in the file ends (it did: certify's certificate vanished between two reads).
 */
export async function testTempDir(prefix: string, onFinished: typeof onTestFinished): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onFinished(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}
