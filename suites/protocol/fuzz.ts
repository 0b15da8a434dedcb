import fc from 'fast-check';
import type { Exchange } from '../../drivers/remote/plugin-client.ts';
import type { Call } from '../../drivers/remote/protocol.ts';
import { runDump } from '../../lab/linux/command.ts';
import { sleep } from '../../lab/wait.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import type { CheckContext } from '../framework/context.ts';
import { footprintDiff } from '../framework/footprint.ts';
import { requestArbitrary, type FuzzBody } from './fuzz-arbitraries.ts';
import { minimize } from './minimize.ts';
import { ProtocolSession, succeeded } from './session.ts';

/** The default budget: a few seconds against a healthy plugin. `certify` sends ten thousand. */
export const DEFAULT_FUZZ_BUDGET = 1_000;

/** The calls fuzzed, each its own property (so each defect is found and shrunk on its own). */
const FUZZED: Call[] = [
  'NetworkDriver.CreateNetwork',
  'NetworkDriver.CreateEndpoint',
  'NetworkDriver.Join',
  'NetworkDriver.Leave',
  'NetworkDriver.EndpointOperInfo',
  'NetworkDriver.ProgramExternalConnectivity',
  'NetworkDriver.RevokeExternalConnectivity',
  'NetworkDriver.DeleteEndpoint',
  'NetworkDriver.DeleteNetwork',
  'NetworkDriver.DiscoverNew',
];
const UNKNOWN_CALLS = ['NetworkDriver.NoSuchMethod', 'Plugin.Deactivate'];

/** What makes a request a defect: no answer, or something it made still there after its undo. */
interface Defect {
  call: string;
  problem: string;
  /** The smallest request that still shows it (shrunk), as sent. */
  request: string;
  /** The same with this run's IDs, pools and paths as placeholders: what the seed reproduces. */
  template: string;
  /** Requests tried, and shrinking steps taken to get there. */
  runs: number;
  shrinks: number;
}

/** How many times a shrunk failing request is sent again before it counts as a defect (any one failing). */
const REPLAYS = 3;

const show = (body: FuzzBody) => (typeof body === 'string' ? body : JSON.stringify(body));
const idOf = (body: FuzzBody, key: string) =>
  typeof body === 'object' && body !== null && typeof (body as Record<string, unknown>)[key] === 'string'
    ? ((body as Record<string, unknown>)[key] as string)
    : undefined;

async function linkNames(ctx: CheckContext, netns: string | undefined): Promise<Set<string>> {
  const r = await runDump(['ip', '-j', 'link', 'show'], { netns, signal: ctx.signal });
  return new Set((JSON.parse(r.output || '[]') as { ifname: string }[]).map((l) => l.ifname));
}

/**
 * Property-based fuzzing of the plugin's calls (fast-check), generated from the protocol schemas: each
 * request must be answered within the bound — an error or a success, never a dropped connection or a
 * hang — and a request that makes something (a network, an endpoint, a join) must leave no link behind
 * once it is undone. A failing request is shrunk to the smallest that still fails, and that request
 * is the evidence. Seeded (`--fuzz-seed`) and budgeted (`--fuzz-budget`); afterwards the plugin must
 * still serve and the whole footprint (links, rules, keys) must be as before.
 */
export default defineCheck({
  id: 'protocol/fuzz',
  title: 'Generated requests (schema-driven, shrunk on failure): answered in bounded time, no crash, no leak',
  // its requests carry pools such as 0.0.0.0/0 and 10.0.0.0/8: a bridge for one reroutes the host
  exclusive: ['host-state', 'kv'],
  requires: { features: ['remote'] },
  timeoutMs: 900_000,
  async run(ctx) {
    const seed = ctx.settings.fuzzSeed ?? Math.floor(Math.random() * 2 ** 31);
    const budget = ctx.settings.fuzzBudget ?? DEFAULT_FUZZ_BUDGET;
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
    const ids = {
      networkId: network.id,
      endpointId: endpoint.id,
      freshPool: fresh.pool,
      freshGateway: fresh.gateway,
      address: network.address(7),
      sandboxKey: key,
      freshId: session.newId(),
    };
    session.recording = false;
    const template = (request: string) =>
      Object.entries(ids).reduce((t, [name, value]) => t.replaceAll(value, `<${name}>`), request);
    const netns = session.target.netns;
    const exchanges: Exchange[] = [];
    const send = async (call: string, body: FuzzBody) => {
      const e = await session.send(call, body);
      exchanges.push(e);
      return e;
    };
    /** The undo of what a request may have made, whatever the plugin said. */
    const undo = async (call: string, body: FuzzBody) => {
      const net = idOf(body, 'NetworkID');
      const ep = idOf(body, 'EndpointID');
      if (call === 'NetworkDriver.CreateNetwork' && net && net !== ids.networkId)
        await session.send('NetworkDriver.DeleteNetwork', { NetworkID: net });
      if (call === 'NetworkDriver.CreateEndpoint' && net && ep && ep !== ids.endpointId)
        await session.send('NetworkDriver.DeleteEndpoint', { NetworkID: net, EndpointID: ep });
      if (call === 'NetworkDriver.Join' && net && ep)
        await session.send('NetworkDriver.Leave', { NetworkID: net, EndpointID: ep });
    };
    const makes = (call: string) => /CreateNetwork|CreateEndpoint|Join/.test(call);

    const defects: Defect[] = [];
    const unreproduced: { call: string; problem: string; request: string; replays: number }[] = [];
    const started = Date.now();
    // each call gets two properties, so that each defect is found and shrunk on its own: every request
    // is answered; and (for calls that make something) an accepted request leaves nothing once undone
    const properties = FUZZED.flatMap((call) => [
      { call, kind: 'answered' },
      ...(makes(call) ? [{ call, kind: 'undone' }] : []),
    ]);
    const perProperty = Math.max(1, Math.floor(budget / (properties.length + 1)));
    for (const [i, { call, kind }] of properties.entries()) {
      ctx.signal.throwIfAborted();
      let problem = '';
      /** Whether this request shows the property's defect (and, when it does, what the defect was). */
      const fails = async (body: FuzzBody): Promise<boolean> => {
        const linksBefore = kind === 'undone' ? await linkNames(ctx, netns) : undefined;
        const e = await send(call, body);
        // whatever a request made is undone under either property: the harness leaves nothing of its own
        await undo(call, body);
        if (!linksBefore) {
          if (e.failure) problem = `${e.failure}${e.detail ? ` (${e.detail})` : ''}`;
          return e.failure !== undefined;
        }
        // not answered, or refused: the other property's business, nothing was made
        if (!succeeded(e)) return false;
        const left = [...(await linkNames(ctx, netns))].filter((l) => !linksBefore.has(l));
        if (left.length) problem = `left ${left.join(', ')} behind after its undo`;
        return left.length > 0;
      };
      const property = fc.asyncProperty(requestArbitrary(call, ids), async (body) => !(await fails(body)));
      const out = await fc.check(property, { seed: seed + i, numRuns: perProperty });
      if (out.failed && out.counterexample) {
        // fast-check shrank it; cut it down further, field by field, while it still fails
        const small = await minimize(out.counterexample[0], fails);
        const seen = problem;
        // an unanswered request is a defect when the smallest one is unanswered again when sent again
        // (the evidence's problem is that replay's own); one dropped once and answered on every replay
        // is no evidence against the plugin (a connection lost under load), and is listed as such
        // (a request whose undo left something shows it once: the leftover is there to see, and sent
        // again with the same ids it finds that leftover already there)
        let again = kind === 'undone';
        for (let r = 0; r < REPLAYS && !again; r++) again = await fails(small.value);
        const request = show(small.value);
        if (!again) {
          unreproduced.push({ call, problem: seen, request: request.slice(0, 300), replays: REPLAYS });
          continue;
        }
        defects.push({
          call,
          problem,
          request,
          template: template(request),
          runs: out.numRuns,
          shrinks: out.numShrinks + small.attempts,
        });
      }
    }
    // calls the protocol does not have: an answer (404 is fine), never a crash
    const unknown = await fc.check(
      fc.asyncProperty(fc.constantFrom(...UNKNOWN_CALLS), fc.json({ maxDepth: 2 }), async (call, body) => {
        return !(await send(call, body)).failure;
      }),
      { seed: seed + properties.length, numRuns: perProperty },
    );
    if (unknown.failed && unknown.counterexample)
      defects.push({
        call: unknown.counterexample[0],
        problem: 'no answer',
        request: unknown.counterexample[1],
        template: unknown.counterexample[1],
        runs: unknown.numRuns,
        shrinks: unknown.numShrinks,
      });
    const fuzzMs = Date.now() - started;

    await session.leave(endpoint);
    await session.deleteEndpoint(endpoint);
    await session.deleteNetwork(network);
    const alive = await session.send('NetworkDriver.GetCapabilities', {}, true);
    let leaked = footprintDiff(before, await session.footprint()).added;
    for (let i = 0; i < 10 && leaked.length; i++) {
      await sleep(200, ctx.signal);
      leaked = footprintDiff(before, await session.footprint()).added;
    }
    const count = (f: Exchange['failure']) => exchanges.filter((e) => e.failure === f).length;
    const metrics = {
      seed,
      budget,
      requests: exchanges.length,
      succeeded: exchanges.filter((e) => succeeded(e)).length,
      refused: exchanges.filter((e) => !e.failure && !succeeded(e)).length,
      dropped: count('connection closed'),
      timeouts: count('timeout'),
      unreachable: count('unreachable'),
      defects: defects.length,
      unreproduced: unreproduced.length,
      leaks: leaked.length,
      slowestMs: Math.round(Math.max(0, ...exchanges.map((e) => e.ms))),
      fuzzMs,
    };
    ctx.evidence.push({
      host: 'harness',
      command: `fuzz ${metrics.requests} requests, seed ${seed} (again: --fuzz-seed ${seed} --fuzz-budget ${budget})`,
      exitCode: defects.length ? 1 : 0,
      output: JSON.stringify(metrics),
    });
    for (const d of defects)
      ctx.evidence.push({
        host: `plugin ${session.target.name}`,
        command: `POST /${d.call} (smallest failing request, shrunk in ${d.shrinks} steps)`,
        exitCode: 1,
        output: `${d.problem}\nrequest: ${d.request.slice(0, 2000)}`,
      });
    for (const u of unreproduced)
      ctx.evidence.push({
        host: `plugin ${session.target.name}`,
        command: `POST /${u.call} (failed once, not counted: answered on ${u.replays} replays)`,
        exitCode: 0,
        output: `${u.problem}\nrequest: ${u.request}`,
      });
    const problems = [
      ...defects.map((d) => `${d.call}: ${d.problem}; smallest request: ${d.request.slice(0, 200)}`),
      ...(succeeded(alive) ? [] : ['the plugin no longer answers GetCapabilities']),
      ...(leaked.length
        ? [`left behind: ${leaked.slice(0, 5).join(', ')}${leaked.length > 5 ? ` and ${leaked.length - 5} more` : ''}`]
        : []),
    ];
    return verdict(
      problems.length === 0,
      {
        pass:
          `${metrics.requests} generated requests (seed ${seed}): ${metrics.refused} refused, ${metrics.succeeded} ` +
          `accepted, none dropped or hung (slowest ${metrics.slowestMs} ms); still serving; nothing leaked`,
        fail: problems.join('; '),
      },
      { dropped: 0, timeouts: 0, leaks: 0, stillServing: true },
      { ...metrics, stillServing: succeeded(alive), defects, unreproduced, leftBehind: leaked },
      { fuzz: metrics },
    );
  },
});
