import { defineConfig } from 'vitest/config';

// unit: pure logic, no root needed. conformance: the checks on a real lab brought up once by a
// global setup, and end-to-end tests of the CLI (each brings up its own lab). Later: perf.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{cli,drivers,lab,reports,suites}/**/*.test.ts'],
          exclude: ['**/*.conformance.test.ts', '**/*.e2e.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['{cli,drivers,lab,reports,suites}/**/*.{conformance,e2e}.test.ts'],
          globalSetup: ['suites/framework/global-setup.ts'],
          // one lab, real engines: files run one after another so checks never race for the lab
          fileParallelism: false,
          pool: 'forks',
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
