import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { MATRIX, OWN_LAB, SHARED_LAB } from './suites/framework/test-layout.ts';

// One phase for everything but the bench: the unit tests, the end-to-end tests with labs of their
// own (through the CLI, remote hosts, 4 hosts), the conformance matrix on a lab of its own, and the
// files that share a conformance lab (two labs, one file each; suites/framework/test-layout.ts says
// which file runs where). Then perf, the bench in smoke mode, alone.

/**
 * Files at once. The phase is CPU-bound on this 2-core machine (measured: 86 % of both CPUs busy over
 * the whole run with 5); with 5 and two more labs, a plugin once took over 30 s to answer.
 */
const WORKERS = 4;

/**
 * The longest files first (measured beside each other, nothing else running: remote hosts 321 s,
 * shared lab b 284 s, shared lab a 258 s, the matrix 168 s, plugins as shipped 144 s, certify 141 s,
 * 4 hosts 84 s, …): started last, one of them would be the phase's tail alone. vitest's own order is
 * by project name, then by the last run's durations, which a fresh clone does not have.
 */
const LONGEST_FIRST = [
  'cli/remote-lab.e2e.test.ts',
  SHARED_LAB.b,
  SHARED_LAB.a,
  MATRIX,
  'cli/plugins-as-shipped.e2e.test.ts',
  'cli/certify.e2e.test.ts',
  'cli/four-hosts.e2e.test.ts',
  'suites/protocol/broken-plugin.conformance.test.ts',
  'reports/compare.e2e.test.ts',
  'cli/bad-input.e2e.test.ts',
  'cli/local-lab.e2e.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.indexOf(relative(f.project.config.root, f.moduleId));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    const order = await super.sort(files);
    return order.sort(
      (a, b) => a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || rank(a) - rank(b),
    );
  }
}

export default defineConfig({
  test: {
    reporters: ['default', './reports/vitest-reporter.ts'],
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          maxWorkers: WORKERS,
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
      // the checks on a real lab brought up once by the global setup, and the end-to-end tests that
      // use it: two labs, each with one file that imports its share of them (one after another)
      ...(['a', 'b'] as const).map((lab) => ({
        test: {
          name: `conformance-${lab}`,
          sequence: { groupOrder: 0 },
          maxWorkers: WORKERS,
          include: [SHARED_LAB[lab]],
          globalSetup: ['suites/framework/global-setup.ts'],
          pool: 'forks' as const,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      })),
      {
        // every check on every driver, on a lab of its own (it reads nothing outside it)
        test: {
          name: 'matrix',
          sequence: { groupOrder: 0 },
          include: [MATRIX],
          globalSetup: ['suites/framework/global-setup.ts'],
          maxWorkers: WORKERS,
          pool: 'forks',
          testTimeout: 300_000,
          hookTimeout: 900_000,
        },
      },
      {
        // the end-to-end tests that bring up labs of their own (through the CLI, or the broken plugin's)
        test: {
          name: 'e2e',
          sequence: { groupOrder: 0 },
          include: OWN_LAB,
          maxWorkers: WORKERS,
          pool: 'forks',
          testTimeout: 900_000,
          hookTimeout: 600_000,
        },
      },
      // scheduling soak (npm run test:schedules): many full runs, so never part of npm test
      ...(process.env.CNM_HARNESS_SOAK
        ? [{ test: { name: 'soak', include: ['cli/*.soak.test.ts'], pool: 'forks' as const, testTimeout: 14_400_000 } }]
        : []),
      {
        test: {
          name: 'perf',
          sequence: { groupOrder: 1 },
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
