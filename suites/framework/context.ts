import type { Profile, StartedDriver } from '../../drivers/contract.ts';
import type { LabHost } from '../../lab/host.ts';
import type { StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import type { Evidence } from './result.ts';

/** What a check works with: the lab, the started driver, an evidence log and a cleanup stack. */
export class CheckContext implements AsyncDisposable {
  readonly evidence: Evidence[] = [];
  /** Timings any part of a check records (sandbox creation …); they join the result's metrics. */
  readonly timings: Record<string, number[]> = {};
  // Node 20 has Symbol.asyncDispose but not AsyncDisposableStack
  private readonly cleanups: AsyncDisposable[] = [];

  constructor(
    readonly lab: StartedLab,
    readonly driver: StartedDriver,
    readonly signal: AbortSignal,
  ) {}

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
    return this.record(host.name, await host.exec(argv));
  }

  /** Registers an undo step (a route, a rule the check installed) to run when the check ends. */
  defer(undo: () => Promise<void>): void {
    this.use({ [Symbol.asyncDispose]: undo });
  }

  /** Registers something to dispose of when the check ends, whatever its verdict. */
  use<T extends AsyncDisposable>(resource: T): T {
    this.cleanups.push(resource);
    return resource;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const errors: unknown[] = [];
    for (const r of this.cleanups.splice(0).reverse()) {
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
