import { defineCheck, verdict } from '../framework/check.ts';
import { ProtocolSession } from './session.ts';

/** GetCapabilities: a Scope Docker accepts (local|global), ConnectivityScope valid where given. */
export default defineCheck({
  id: 'protocol/capabilities',
  title: 'GetCapabilities returns a valid Scope (and ConnectivityScope)',
  requires: { features: ['remote'] },
  timeoutMs: 30_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const e = await session.send('NetworkDriver.GetCapabilities');
    const problems = ProtocolSession.replyProblems('NetworkDriver.GetCapabilities', e);
    const body = e.body as { Scope?: string; ConnectivityScope?: string } | undefined;
    return verdict(
      problems.length === 0,
      {
        pass:
          `Scope ${body?.Scope}, ` +
          `ConnectivityScope ${body?.ConnectivityScope || `not given (Docker takes ${body?.Scope})`}`,
        fail: `GetCapabilities reply is not valid: ${problems.join('; ')}`,
      },
      { Scope: 'local | global', ConnectivityScope: 'local | global (optional)' },
      body ?? e.text,
      { scope: body?.Scope, connectivityScope: body?.ConnectivityScope ?? null },
    );
  },
});
