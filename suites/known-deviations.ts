/**
 * Where a driver's real behaviour differs from the specification, known and explained. Such a
 * result stays a `fail` in every report (the real outcome is never hidden); it is marked with the
 * explanation and does not fail the run's exit status. A deviation that stops happening shows up
 * as a pass, and the conformance tests (which expect these to fail) say so.
 */
export interface KnownDeviation {
  /** What the driver is (`Driver.implementation`), whatever name it was loaded under. */
  implementation: string;
  check: string;
  why: string;
}

export const KNOWN_DEVIATIONS: KnownDeviation[] = [
  {
    implementation: 'docker:bridge',
    check: 'nat/private-unreachable',
    why:
      "Docker 20.10 forwards unsolicited traffic to a container's private address from any neighbour that routes " +
      "the bridge subnet via the host (its FORWARD rules accept '-o br-… -j DOCKER' paths and do not filter by " +
      'destination). Docker 28 added raw-table rules that drop it.',
  },
];

export function knownDeviation(driver: { implementation: string }, check: string): KnownDeviation | undefined {
  return KNOWN_DEVIATIONS.find((d) => d.implementation === driver.implementation && d.check === check);
}

/** The verdict a check should give a driver: pass, or fail where its deviation is known (the tests' rule). */
export function expectedVerdict(driver: { implementation: string }, check: string): 'pass' | 'fail' {
  return knownDeviation(driver, check) ? 'fail' : 'pass';
}
