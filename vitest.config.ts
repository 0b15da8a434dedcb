import { defineConfig } from 'vitest/config';

// unit: pure logic, no root needed. conformance: the checks on a real lab brought up once by a
// global setup, and the end-to-end tests that use it. e2e: the end-to-end tests with labs of their
// own; matrix: the conformance matrix on a lab of its own. unit, e2e and matrix run side by side
// (mostly they wait on engines); then the conformance files one after another (vitest runs a
// single-worker project in a group of its own); then the heavy end-to-end labs (remote hosts, 4 hosts),
// one at a time; then perf, the bench in smoke mode, alone.

/** The conformance matrix: every check on every driver, through the engine, drivers side by side. */
const MATRIX = 'suites/conformance.conformance.test.ts';

/**
 * Labs of their own that are heavy (several engines, swarms across 4 hosts, two labs in turn): run
 * alone, one file at a time, after the rest, so they do not load the machine under the matrix.
 */
const HEAVY_OWN_LAB = ['cli/four-hosts.e2e.test.ts', 'cli/local-lab.e2e.test.ts', 'cli/remote-lab.e2e.test.ts'];

/** Test files whose labs are their own (none uses the global setup's lab). */
const OWN_LAB = [
  'cli/bad-input.e2e.test.ts',
  'cli/certify.e2e.test.ts',
  'cli/plugins-as-shipped.e2e.test.ts',
  'reports/compare.e2e.test.ts',
  'reports/html/report.e2e.test.ts',
  'suites/protocol/broken-plugin.conformance.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default', './reports/vitest-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          // shared with e2e (one group, one pool): its labs mostly wait on engines, not on the CPUs
          maxWorkers: 3,
          include: ['{cli,drivers,lab,reports,suites}/**/*.test.ts'],
          exclude: [
            '**/*.conformance.test.ts',
            '**/*.e2e.test.ts',
            '**/*.perf.test.ts',
            '**/*.soak.test.ts',
            'node_modules/**',
          ],
        },
      },
      {
        test: {
          name: 'conformance',
          sequence: { groupOrder: 1 },
          include: ['{cli,drivers,lab,reports,suites}/**/*.{conformance,e2e}.test.ts'],
          exclude: [...OWN_LAB, ...HEAVY_OWN_LAB, MATRIX, 'node_modules/**'],
          globalSetup: ['suites/framework/global-setup.ts'],
          // one lab, real engines: files run one after another so checks never race for the lab
          fileParallelism: false,
          pool: 'forks',
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        // every check on every driver, on a lab of its own (it reads nothing outside it), beside the
        // unit and e2e tests: it waits on its engines, they on theirs
        test: {
          name: 'matrix',
          sequence: { groupOrder: 0 },
          include: [MATRIX],
          globalSetup: ['suites/framework/global-setup.ts'],
          maxWorkers: 3,
          pool: 'forks',
          testTimeout: 300_000,
          hookTimeout: 900_000,
        },
      },
      {
        // the end-to-end tests that bring up labs of their own (through the CLI, or the broken plugin's):
        // nothing shared, so they run beside each other, the unit tests and the matrix
        test: {
          name: 'e2e',
          sequence: { groupOrder: 0 },
          include: OWN_LAB,
          maxWorkers: 3,
          pool: 'forks',
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      // scheduling soak (npm run test:schedules): many full runs, so never part of npm test
      ...(process.env.CNM_HARNESS_SOAK
        ? [{ test: { name: 'soak', include: ['cli/*.soak.test.ts'], pool: 'forks' as const, testTimeout: 14_400_000 } }]
        : []),
      {
        test: {
          name: 'heavy-e2e',
          sequence: { groupOrder: 2 },
          include: HEAVY_OWN_LAB,
          fileParallelism: false,
          pool: 'forks',
          testTimeout: 900_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'perf',
          sequence: { groupOrder: 3 },
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
