import type { Exchange } from '../../drivers/remote/plugin-client.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { MALFORMED_BODIES } from './malformed-bodies.ts';
import { ProtocolSession, refused, succeeded } from './session.ts';

/**
 * Malformed requests to the calls that make things (CreateNetwork, CreateEndpoint, Join) get an
 * error answer within the bound — never a success, a dropped connection or a hang — and the
 * plugin keeps serving.
 */
export default defineCheck({
  id: 'protocol/malformed-requests',
  title: 'Malformed JSON and wrong field types get an error answer, not a crash or a hang',
  requires: { features: ['remote'] },
  timeoutMs: 120_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const sent: { what: string; e: Exchange }[] = [];
    for (const call of ['NetworkDriver.CreateNetwork', 'NetworkDriver.CreateEndpoint', 'NetworkDriver.Join']) {
      for (const [what, body] of MALFORMED_BODIES) sent.push({ what, e: await session.send(call, body) });
    }
    const alive = await session.send('NetworkDriver.GetCapabilities');
    const bad = sent.filter(({ e }) => !refused(e));
    const problems = [
      ...bad.map(
        ({ what, e }) => `${e.call} with ${what}: ${e.failure ?? `accepted (${e.status} ${e.text.slice(0, 80)})`}`,
      ),
      ...(succeeded(alive) ? [] : ['the plugin no longer answers GetCapabilities']),
    ];
    return verdict(
      problems.length === 0,
      {
        pass:
          `${sent.length} malformed requests, each refused with an answer ` +
          `(slowest ${Math.max(...sent.map(({ e }) => e.ms)).toFixed(0)} ms); still serving`,
        fail: problems.slice(0, 6).join('; '),
      },
      'an error answer (non-200 or Err) for each, within the bound',
      sent.map(({ what, e }) => ({
        call: e.call,
        what,
        answer: e.failure ?? e.status,
        body: e.body ?? e.text.slice(0, 100),
      })),
    );
  },
});
