import { describe } from 'vitest';

/**
 * Test files that share a project's lab (its global set-up), run as one test file: one after another
 * in one worker, so their checks never race for the lab (several stop its etcd, restart its engines
 * or cut a host off), while other projects' files run beside them.
 *
 * One file, not a single-worker project: vitest gives a project that runs one file at a time a
 * phase of its own, and nothing else would run meanwhile. Each file is imported inside a `describe`
 * named by its path (relative to the repository), so its top-level hooks stay its own.
 */
export function runOneAfterAnother(files: string[]): void {
  for (const file of files)
    describe(file, async () => {
      await import(new URL(`../../${file}`, import.meta.url).href);
    });
}
