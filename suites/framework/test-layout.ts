/**
 * Which project runs each test file that needs a lab (vitest.config.ts; docs/architecture.md, "npm
 * test's layout"). A file that uses the conformance lab runs only if it is listed here:
 * test-layout.test.ts fails for one that is in no list.
 */

/** The conformance matrix: every check on every driver, through the engine, drivers side by side. */
export const MATRIX = 'suites/conformance.conformance.test.ts';

/** The one test file per shared conformance lab that imports its share of SHARED_LAB_FILES. */
export const SHARED_LAB = {
  a: 'suites/shared-lab-a.conformance.test.ts',
  b: 'suites/shared-lab-b.conformance.test.ts',
} as const;

/**
 * The files that use a conformance lab (its global set-up), one after another on it, the longest
 * first; split over two labs only to end at about the same time (measured in npm test, unloaded: lab a had
 * the resilience checks and run.e2e, 343 s, b 184 s; run.e2e, about 95 s of that, moved to b; then a
 * 227 s, b 328 s: probe-servers.e2e, about 42 s, moved to a).
 */
export const SHARED_LAB_FILES: Record<keyof typeof SHARED_LAB, string[]> = {
  a: [
    'suites/resilience/resilience.conformance.test.ts',
    'suites/framework/lab-faults.conformance.test.ts',
    'suites/framework/cancellation.conformance.test.ts',
    'lab/probe-servers.e2e.test.ts',
  ],
  b: [
    'cli/run.e2e.test.ts',
    'suites/resilience/broken-recovery.conformance.test.ts',
    'drivers/cni/cni-driver.conformance.test.ts',
    'suites/isolation/broken-isolation.conformance.test.ts',
    'suites/resilience/interrupted.conformance.test.ts',
    'lab/lab.e2e.test.ts',
    'drivers/reference/plugin/ipam-plugin.conformance.test.ts',
    'suites/isolation/icc-disabled.conformance.test.ts',
    'drivers/remote/plugin-container.e2e.test.ts',
    'drivers/reference/vni-allocator.e2e.test.ts',
  ],
};

/** Test files whose labs are their own (none uses a global setup's lab). */
export const OWN_LAB = [
  'cli/bad-input.e2e.test.ts',
  'cli/certify.e2e.test.ts',
  'cli/four-hosts.e2e.test.ts',
  'cli/local-lab.e2e.test.ts',
  'cli/plugins-as-shipped.e2e.test.ts',
  'cli/remote-lab.e2e.test.ts',
  'reports/compare.e2e.test.ts',
  'reports/html/report.e2e.test.ts',
  'suites/protocol/broken-plugin.conformance.test.ts',
];
