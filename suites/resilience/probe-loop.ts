import type { Sandbox } from '../../drivers/contract.ts';
import { sleep } from '../../lab/wait.ts';
import type { CheckContext } from '../framework/context.ts';

/** One probe of the loop: when it was sent (ms from the loop's start) and what came of it. */
export type Sample = [atMs: number, outcome: 'ok' | 'lost' | 'no-probe'];

/** A fault's window on the timeline, from its start to its end (absent while it lasts). */
export interface FaultMark {
  label: string;
  startMs: number;
  endMs?: number;
}

/**
 * What a probe loop saw, as the report draws it: every probe, the faults' windows, and the longest
 * time without a reply. `no-probe`: the probe could not be sent (the sandbox was down itself).
 */
export interface Timeline {
  from: string;
  to: string;
  intervalMs: number;
  durationMs: number;
  samples: Sample[];
  marks: FaultMark[];
  sent: number;
  answered: number;
  /** The longest stretch from a probe without a reply to the next one answered (to the end, if none was). */
  longestGapMs: number;
}

const PROBE_TIMEOUT_S = 1;

/**
 * ICMP from a sandbox to a target every `intervalMs` (150 ms by default) while a fault comes and
 * goes: each probe is sent on time whether the last one came back or not, so a gap shows as a run
 * of lost probes, not as a slower loop. `mark` and `unmark` put the fault's window on the timeline.
 */
export class ProbeLoop {
  private readonly samples: Sample[] = [];
  private readonly marks: FaultMark[] = [];
  private readonly t0 = Date.now();
  private stopped = false;
  private readonly pending = new Set<Promise<void>>();
  private readonly running: Promise<void>;

  private constructor(
    private readonly ctx: CheckContext,
    private readonly from: Sandbox,
    private readonly to: string,
    private readonly intervalMs: number,
  ) {
    this.running = this.loop();
  }

  static start(ctx: CheckContext, from: Sandbox, to: string, intervalMs = 150): ProbeLoop {
    return new ProbeLoop(ctx, from, to, intervalMs);
  }

  /** Milliseconds since the loop started: the timeline's clock. */
  now(): number {
    return Date.now() - this.t0;
  }

  mark(label: string): FaultMark {
    const mark = { label, startMs: this.now() };
    this.marks.push(mark);
    return mark;
  }

  unmark(mark: FaultMark): void {
    mark.endMs = this.now();
  }

  /** Resolves when a probe sent after now is answered (or `timeoutMs` passes: false). */
  async answeredAgain(timeoutMs: number): Promise<{ answered: boolean; afterMs: number }> {
    const since = this.now();
    for (;;) {
      if (this.samples.some(([at, o]) => at >= since && o === 'ok'))
        return { answered: true, afterMs: this.now() - since };
      if (this.now() - since > timeoutMs) return { answered: false, afterMs: this.now() - since };
      await sleep(this.intervalMs, this.ctx.signal);
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped && !this.ctx.signal.aborted) {
      const sent = this.now();
      const probe = this.probeOnce(sent);
      this.pending.add(probe);
      void probe.finally(() => this.pending.delete(probe));
      await sleep(this.intervalMs, this.ctx.signal).catch(() => undefined);
    }
  }

  private async probeOnce(atMs: number): Promise<void> {
    const argv = ['busybox', 'ping', '-c', '1', '-W', String(PROBE_TIMEOUT_S), this.to];
    let outcome: Sample[1];
    try {
      const r = await this.from.exec(argv, (PROBE_TIMEOUT_S + 4) * 1000, this.ctx.signal);
      outcome = r.exitCode === 0 ? 'ok' : /packets received|100% packet loss/.test(r.output) ? 'lost' : 'no-probe';
    } catch {
      outcome = 'no-probe';
    }
    this.samples.push([atMs, outcome]);
  }

  /** Stops sending, waits for the probes in flight, and returns the timeline. */
  async stop(): Promise<Timeline> {
    this.stopped = true;
    await this.running;
    await Promise.all([...this.pending]);
    const durationMs = this.now();
    for (const m of this.marks) m.endMs ??= durationMs;
    const samples = [...this.samples].sort((a, b) => a[0] - b[0]);
    return {
      from: this.from.name,
      to: this.to,
      intervalMs: this.intervalMs,
      durationMs,
      samples,
      marks: this.marks,
      sent: samples.length,
      answered: samples.filter(([, o]) => o === 'ok').length,
      longestGapMs: longestGap(samples, durationMs),
    };
  }
}

/** The longest stretch from an unanswered probe to the next answered one (or to `endMs`). */
export function longestGap(samples: Sample[], endMs: number): number {
  let longest = 0;
  let gapStart: number | undefined;
  for (const [at, outcome] of samples) {
    if (outcome === 'ok') {
      if (gapStart !== undefined) longest = Math.max(longest, at - gapStart);
      gapStart = undefined;
    } else gapStart ??= at;
  }
  if (gapStart !== undefined) longest = Math.max(longest, endMs - gapStart);
  return longest;
}
