import { defineCheck, verdict } from '../framework/check.ts';
import { ProtocolSession, succeeded } from './session.ts';

/** Plugin.Activate lists NetworkDriver; a managed plugin (never activated) answers GetCapabilities straight away. */
export default defineCheck({
  id: 'protocol/activate',
  title: 'Plugin.Activate lists NetworkDriver (or, for a managed plugin, GetCapabilities works without it)',
  requires: { features: ['remote'] },
  timeoutMs: 30_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    if (!session.target.activate) {
      const caps = await session.send('NetworkDriver.GetCapabilities');
      return verdict(
        succeeded(caps),
        {
          pass: 'managed plugin: not activated, and GetCapabilities answers',
          fail: 'managed plugin: GetCapabilities without Activate did not succeed',
        },
        'GetCapabilities succeeds without Activate',
        caps.text,
      );
    }
    const e = (await session.activate())!;
    const problems = ProtocolSession.replyProblems('Plugin.Activate', e);
    const implementsList = (e.body as { Implements?: unknown })?.Implements;
    const lists = Array.isArray(implementsList) && implementsList.includes('NetworkDriver');
    return verdict(
      problems.length === 0 && lists,
      {
        pass: `Implements: ${JSON.stringify(implementsList)}`,
        fail: problems.length
          ? `invalid Activate reply: ${problems.join('; ')}`
          : `Implements ${JSON.stringify(implementsList)} lacks NetworkDriver`,
      },
      { Implements: ['NetworkDriver'] },
      { status: e.status, body: e.body ?? e.text },
    );
  },
});
