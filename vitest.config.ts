import { defineConfig } from 'vitest/config';

// unit: pure logic, no root needed. conformance: the checks on a real lab brought up once by a
// global setup, and end-to-end tests of the CLI (each brings up its own lab). perf: the bench in
// smoke mode. Projects run one after another (groupOrder) so the perf smoke has the machine to itself.
export default defineConfig({
  test: {
    reporters: ['default', './reports/vitest-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['{cli,drivers,lab,reports,suites}/**/*.test.ts'],
          exclude: ['**/*.conformance.test.ts', '**/*.e2e.test.ts', '**/*.perf.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'conformance',
          sequence: { groupOrder: 1 },
          include: ['{cli,drivers,lab,reports,suites}/**/*.{conformance,e2e}.test.ts'],
          globalSetup: ['suites/framework/global-setup.ts'],
          // one lab, real engines: files run one after another so checks never race for the lab
          fileParallelism: false,
          pool: 'forks',
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'perf',
          sequence: { groupOrder: 2 },
          include: ['suites/perf/**/*.perf.test.ts'],
          globalSetup: ['suites/framework/global-setup.ts'],
          fileParallelism: false,
          pool: 'forks',
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
