import { defineCheck, verdict } from '../framework/check.ts';
import { runLifecycle, stoppedAt } from './lifecycle.ts';
import { ProtocolSession, succeeded } from './session.ts';

/**
 * Deleting what is gone already succeeds: Docker repeats DeleteEndpoint and DeleteNetwork when it
 * cleans up after a crash or restart, and a plugin that errors there keeps Docker's record stuck.
 */
export default defineCheck({
  id: 'protocol/idempotent-deletes',
  title: 'DeleteEndpoint and DeleteNetwork succeed a second time',
  requires: { features: ['remote'] },
  timeoutMs: 60_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const l = await runLifecycle(session);
    if (l.failedAt || !l.endpoint)
      return verdict(
        false,
        { pass: '', fail: `the lifecycle ${stoppedAt(l)}` },
        'a full lifecycle',
        l.steps.map((s) => s.call),
      );
    const again = [await session.deleteEndpoint(l.endpoint), await session.deleteNetwork(l.network)];
    const bad = again.filter((e) => !succeeded(e));
    return verdict(
      bad.length === 0,
      {
        pass: 'the second DeleteEndpoint and DeleteNetwork both succeeded',
        fail: bad.map((e) => `${e.call} again: ${e.failure ?? `${e.status} ${e.text.slice(0, 200)}`}`).join('; '),
      },
      'HTTP 200 without Err, both times',
      again.map((e) => ({ call: e.call, status: e.status ?? e.failure, body: e.body ?? e.text })),
    );
  },
});
