import { quantile } from '../../lab/stats.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { runLifecycle, stoppedAt } from './lifecycle.ts';
import { ProtocolSession } from './session.ts';

const ROUNDS = 10;

/**
 * The plugin's answer time per call over repeated lifecycles (p50, p99, max, in ms) — figures, not
 * judged against a threshold; the check fails only when a lifecycle does not complete.
 */
export default defineCheck({
  id: 'protocol/latency',
  title: 'Per-call latency over repeated lifecycles (p50, p99)',
  requires: { features: ['remote'] },
  timeoutMs: 180_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const times: Record<string, number[]> = {};
    const failures: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const l = await runLifecycle(session);
      for (const s of l.steps) (times[s.call.replace('NetworkDriver.', '')] ??= []).push(s.exchange.ms);
      if (l.failedAt) failures.push(`round ${i + 1}: ${stoppedAt(l)}`);
      // the evidence keeps the first round; the rest would only repeat it
      session.recording = false;
    }
    const perCall = Object.fromEntries(
      Object.entries(times).map(([call, ms]) => [
        call,
        { n: ms.length, p50: round(quantile(ms, 0.5)), p99: round(quantile(ms, 0.99)), max: round(Math.max(...ms)) },
      ]),
    );
    return verdict(
      failures.length === 0,
      {
        pass: `${ROUNDS} lifecycles: ${Object.entries(perCall)
          .map(([c, v]) => `${c} p50 ${v.p50} ms`)
          .join(', ')}`,
        fail: failures.join('; '),
      },
      `${ROUNDS} complete lifecycles`,
      perCall,
      { latencyMs: perCall },
    );
  },
});

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
