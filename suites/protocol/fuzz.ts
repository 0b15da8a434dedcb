import type { Exchange } from '../../drivers/remote/plugin-client.ts';
import { sleep } from '../../lab/wait.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { footprintDiff } from '../framework/footprint.ts';
import { fuzzCases } from './fuzz-cases.ts';
import { ProtocolSession, succeeded } from './session.ts';

/** Evidence keeps at most this many bad exchanges; the counts have the rest. */
const EVIDENCE_LIMIT = 20;

/**
 * Hundreds of generated requests (fuzz-cases.ts) against the plugin: each must get an answer within
 * the bound — an error or a success, but never a dropped connection or a hang — the plugin must
 * still serve afterwards, and once everything the cases may have made is deleted again, nothing of
 * it may remain.
 */
export default defineCheck({
  id: 'protocol/fuzz',
  title: 'Generated malformed, missing, oversized and boundary requests: answered in bounded time, no crash, no leak',
  requires: { features: ['remote'] },
  timeoutMs: 600_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const before = await session.footprint();
    const { exchange: made, network } = await session.createNetwork();
    const { endpoint } = await session.createEndpoint(network, 1);
    if (!succeeded(made))
      return verdict(
        false,
        { pass: '', fail: `CreateNetwork failed, nothing to fuzz against: ${made.text || made.failure}` },
        'CreateNetwork succeeds',
        made.text,
      );
    const fresh = session.newPool();
    const { key } = await session.sandboxKey();
    const cases = fuzzCases({
      networkId: network.id,
      endpointId: endpoint.id,
      freshPool: fresh.pool,
      freshGateway: fresh.gateway,
      address: network.address(7),
      sandboxKey: key,
      freshId: session.newId(),
    });
    session.recording = false;
    const results: { what: string; e: Exchange }[] = [];
    const created = { networks: new Set<string>(), endpoints: new Map<string, string>() };
    const started = Date.now();
    for (const c of cases) {
      const e = await session.send(c.call, c.body);
      results.push({ what: c.what, e });
      // whatever a case may have made is deleted afterwards, whether the plugin said it made it or not
      if (typeof c.body === 'object') {
        const b = c.body as { NetworkID?: unknown; EndpointID?: unknown };
        if (c.call === 'NetworkDriver.CreateNetwork' && typeof b.NetworkID === 'string')
          created.networks.add(b.NetworkID);
        if (/CreateEndpoint|Join/.test(c.call) && typeof b.NetworkID === 'string' && typeof b.EndpointID === 'string')
          created.endpoints.set(b.EndpointID, b.NetworkID);
      }
    }
    const fuzzMs = Date.now() - started;
    for (const [ep, net] of created.endpoints) {
      await session.send('NetworkDriver.Leave', { NetworkID: net, EndpointID: ep });
      await session.send('NetworkDriver.DeleteEndpoint', { NetworkID: net, EndpointID: ep });
    }
    for (const net of created.networks) await session.send('NetworkDriver.DeleteNetwork', { NetworkID: net });
    await session.leave(endpoint);
    await session.deleteEndpoint(endpoint);
    await session.deleteNetwork(network);
    const alive = await session.send('NetworkDriver.GetCapabilities', {}, true);
    let leaked = footprintDiff(before, await session.footprint()).added;
    for (let i = 0; i < 10 && leaked.length; i++) {
      await sleep(200, ctx.signal);
      leaked = footprintDiff(before, await session.footprint()).added;
    }
    const count = (f: Exchange['failure']) => results.filter(({ e }) => e.failure === f).length;
    const metrics = {
      requests: results.length,
      succeeded: results.filter(({ e }) => succeeded(e)).length,
      refused: results.filter(({ e }) => !e.failure && !succeeded(e)).length,
      dropped: count('connection closed'),
      timeouts: count('timeout'),
      unreachable: count('unreachable'),
      leaks: leaked.length,
      slowestMs: Math.round(Math.max(...results.map(({ e }) => e.ms))),
      fuzzMs,
    };
    const bad = results.filter(({ e }) => e.failure);
    for (const { what, e } of bad.slice(0, EVIDENCE_LIMIT))
      ctx.evidence.push({
        host: `plugin ${session.target.name}`,
        command: `POST /${e.call} (${what})`,
        exitCode: 1,
        output: `${e.failure}${e.detail ? `: ${e.detail}` : ''}`,
      });
    const problems = [
      ...(bad.length
        ? [
            `${bad.length} request(s) got no answer (${metrics.dropped} dropped, ${metrics.timeouts} ` +
              `hung, ${metrics.unreachable} after the plugin went away), first: ${bad[0]!.e.call} with ${bad[0]!.what}`,
          ]
        : []),
      ...(succeeded(alive) ? [] : ['the plugin no longer answers GetCapabilities']),
      ...(leaked.length
        ? [`left behind: ${leaked.slice(0, 5).join(', ')}${leaked.length > 5 ? ` and ${leaked.length - 5} more` : ''}`]
        : []),
    ];
    return verdict(
      problems.length === 0,
      {
        pass:
          `${metrics.requests} generated requests: ${metrics.refused} refused, ${metrics.succeeded} accepted, none ` +
          `dropped or hung (slowest ${metrics.slowestMs} ms); still serving; nothing leaked`,
        fail: problems.join('; '),
      },
      { dropped: 0, timeouts: 0, leaks: 0, stillServing: true },
      { ...metrics, stillServing: succeeded(alive), leftBehind: leaked },
      { fuzz: metrics },
    );
  },
});
