import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { MATRIX, OWN_LAB, SHARED_LAB, SHARED_LAB_FILES } from './test-layout.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('every conformance and end-to-end test file is run by exactly one project', async () => {
  const files = (await readdir(ROOT, { recursive: true }))
    .filter((f) => /\.(conformance|e2e)\.test\.ts$/.test(f) && !f.startsWith('node_modules/'))
    .sort();
  const listed = [MATRIX, ...Object.values(SHARED_LAB), ...Object.values(SHARED_LAB_FILES).flat(), ...OWN_LAB].sort();
  expect(listed).toEqual(files);
});
