/**
 * The harness or the lab could not observe what a check needs: a tool missing or crashing, a probe
 * server down, a control that did not hold, the lab's etcd or underlay broken. The check becomes an
 * `error` naming the component — never a `fail`, which is a claim about the driver.
 */
export class LabFault extends Error {
  constructor(
    /** What could not be relied on: "probe control", "outside peer's probe servers", "lab etcd" … */
    readonly component: string,
    message: string,
    /** What the check had seen when it stopped (a truth table …), kept in the result. */
    readonly observed?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
