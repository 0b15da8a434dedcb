import type { Call } from '../../drivers/remote/protocol.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { runLifecycle, stoppedAt } from './lifecycle.ts';
import { ProtocolSession } from './session.ts';

/** What a plugin may declare its replies as: JSON, or Docker's plugin media type. */
const JSON_MEDIA = /^application\/(json|vnd\.docker\.plugins\.v[\d.]+\+json)\b/;

/**
 * One container's whole lifecycle; every reply must be JSON, declared as JSON, and valid against
 * the protocol's schema (field names matched case-insensitively first, as Docker's decoder does).
 */
export default defineCheck({
  id: 'protocol/replies-valid',
  title: 'Every reply of a lifecycle is JSON, declared as such, and valid against the schema',
  requires: { features: ['remote'] },
  timeoutMs: 60_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    const activate = await session.activate();
    const caps = await session.send('NetworkDriver.GetCapabilities');
    const l = await runLifecycle(session);
    const all = [
      ...(activate ? [{ call: 'Plugin.Activate', exchange: activate }] : []),
      { call: 'NetworkDriver.GetCapabilities', exchange: caps },
      ...l.steps,
    ];
    const problems: string[] = [];
    for (const { call, exchange } of all) {
      for (const p of ProtocolSession.replyProblems(call as Call, exchange)) problems.push(`${call}: ${p}`);
      if (!exchange.failure && !JSON_MEDIA.test(exchange.contentType ?? ''))
        problems.push(
          `${call}: Content-Type ${exchange.contentType ?? '(none)'}, expected application/json or ` +
            `application/vnd.docker.plugins.v1+json`,
        );
    }
    return verdict(
      problems.length === 0 && !l.failedAt,
      {
        pass: `${all.length} replies, all JSON and schema-valid`,
        fail: problems.length
          ? `${problems.length} problem(s): ${problems.slice(0, 4).join('; ')}`
          : `the lifecycle ${stoppedAt(l)}`,
      },
      'every reply: Content-Type JSON, body valid against fixtures/schemas/remote-protocol.schema.json',
      { calls: all.map((s) => s.call), problems, failedAt: l.failedAt ?? null },
    );
  },
});
