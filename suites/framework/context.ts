import { setMaxListeners } from 'node:events';
import type { Profile, StartedDriver } from '../../drivers/contract.ts';
import type { LabHost } from '../../lab/host.ts';
import type { StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import type { Evidence } from './result.ts';

/** Knobs some checks read: run-wide (`run --fuzz-seed/--fuzz-budget`, certify's), one the engine sets per attempt. */
export interface CheckSettings {
  /** The fuzzer's seed: the same seed sends the same requests. Random (and reported) when absent. */
  fuzzSeed?: number;
  /** How many requests the fuzzer sends (shrinking a failure comes on top). */
  fuzzBudget?: number;
  /**
   * Set by the engine on a `readsWhole` check's first attempt, run beside other drivers' checks: their
   * work may show in what it reads whole. A check that cannot tell its own from theirs says so (an
   * error), and is run again alone.
   */
  othersBeside?: boolean;
}

/**
 * What a check works with: the lab, the started driver, an evidence log, a cleanup stack and a
 * signal. The signal aborts on the check's timeout or when the run is interrupted; commands, probes
 * and waits given it stop, and anything handed to `use()` after that is removed at once — a check
 * that is stopped makes nothing more.
 */
/** Host ports checks publish on: one range, handed out in turn, so checks side by side never share one. */
const HOST_PORTS = { first: 18080, count: 900 };
let hostPortSeq = 0;

export class CheckContext implements AsyncDisposable {
  readonly evidence: Evidence[] = [];
  /** Timings any part of a check records (sandbox creation …); they join the result's metrics. */
  readonly timings: Record<string, number[]> = {};
  // Node 20 has Symbol.asyncDispose but not AsyncDisposableStack
  private readonly cleanups: AsyncDisposable[] = [];

  private readonly controller = new AbortController();
  private readonly unlink: () => void;

  constructor(
    readonly lab: StartedLab,
    readonly driver: StartedDriver,
    /** The run's signal (Ctrl-C): it aborts this check's signal too. */
    runSignal?: AbortSignal,
    readonly settings: CheckSettings = {},
  ) {
    // every probe, command and wait of the check listens to its signal, many at once (a truth table
    // runs 16 probes): more than Node's default of 10 listeners is the design, not a leak
    setMaxListeners(100, this.controller.signal);
    const follow = () => this.controller.abort(runSignal?.reason);
    if (runSignal?.aborted) follow();
    else runSignal?.addEventListener('abort', follow, { once: true });
    this.unlink = () => runSignal?.removeEventListener('abort', follow);
  }

  /** A port to publish on a lab host that no other check running beside this one publishes. */
  hostPort(): number {
    return HOST_PORTS.first + (hostPortSeq++ % HOST_PORTS.count);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the check: what it is running stops, and it makes nothing more. */
  abort(reason: Error): void {
    this.controller.abort(reason);
  }

  get profile(): Profile {
    return this.driver.driver.profile;
  }

  record(host: string, result: CommandResult): CommandResult {
    this.evidence.push({
      host,
      command: result.command,
      exitCode: result.exitCode,
      output: result.output.slice(0, 4000),
    });
    return result;
  }

  time(name: string, ms: number): void {
    (this.timings[name] ??= []).push(ms);
  }

  /** Runs a command in a lab host's namespace and records it. */
  async onHost(host: LabHost, argv: string[]): Promise<CommandResult> {
    return this.record(host.name, await host.exec(argv, { signal: this.signal }));
  }

  /** Registers an undo step (a route, a rule the check installed) to run when the check ends. */
  defer(undo: () => Promise<void>): void {
    this.use({ [Symbol.asyncDispose]: undo });
  }

  /** Registers something to dispose of when the check ends, whatever its verdict. */
  use<T extends AsyncDisposable>(resource: T): T {
    this.cleanups.push(resource);
    // made after the check was stopped: it goes with the rest at the end, and the check stops here
    this.signal.throwIfAborted();
    return resource;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.unlink();
    const errors: unknown[] = [];
    // last in, first out, until none is left: an undo step may wait for work that registers more
    for (let r = this.cleanups.pop(); r; r = this.cleanups.pop()) {
      try {
        await r[Symbol.asyncDispose]();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length)
      throw new AggregateError(errors, `cleanup failed: ${errors.map((e) => (e as Error).message).join('; ')}`);
  }
}
