import type { Mode } from '../../drivers/contract.ts';
import { waitUntil } from '../../lab/wait.ts';
import { defineCheck, verdict, type Check } from '../framework/check.ts';
import { ok } from '../framework/expectations.ts';
import { probe } from '../framework/probe.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, truthTable } from '../framework/truth-table.ts';

const NAME_WAIT_MS = 15_000;
/** How long a new cross-host path may take to come up before reachability is judged. */
const CONVERGE_MS = 10_000;

/**
 * Two sandboxes on one network reach each other over ICMP, TCP and UDP, both ways. `hosts` places
 * them; `by` says whether peers are addressed by IP or by the name the driver's DNS serves. Across
 * hosts, the TCP/UDP servers also report the source address they saw: no NAT between peers.
 */
export function peerConnectivity(spec: {
  id: string;
  title: string;
  hosts: [number, number];
  by: 'address' | 'name';
  modes?: Mode[];
}): Check {
  const crossHost = spec.hosts[0] !== spec.hosts[1];
  return defineCheck({
    id: spec.id,
    title: spec.title,
    requires: {
      modes: spec.modes ?? ['bridge', 'overlay'],
      features: [...(crossHost ? (['multiHost'] as const) : []), ...(spec.by === 'name' ? (['dns'] as const) : [])],
      ...(crossHost ? { minHosts: 2 } : {}),
    },
    async run(ctx) {
      const scenario = await Scenario.build(ctx, {
        networks: [{ name: 'net' }],
        sandboxes: [
          { name: 'p1', host: spec.hosts[0], network: 'net' },
          { name: 'p2', host: spec.hosts[1], network: 'net' },
        ],
      });
      const peers = ['p1', 'p2'].map((name) => {
        const sandbox = scenario.sandbox(name);
        return {
          name,
          source: { sandbox },
          target: spec.by === 'name' ? sandbox.dnsName : scenario.addressOf(name, 'net'),
        };
      });
      // ICMP both ways, until `done` holds for both outcomes or `ms` runs out: how long it took, or undefined
      const bothWaysWithin = async (ms: number, done: (outcome: string) => boolean) => {
        const waited = await waitUntil(
          () => Promise.all(peers.map((from, i) => probe(ctx, from.source, 'icmp', peers[1 - i]!.target))),
          (outcomes) => outcomes.every((o) => done(o.outcome)),
          { what: 'both peers', timeoutMs: ms, intervalMs: 250, maxIntervalMs: 250, signal: ctx.signal },
        );
        return waited.done ? waited.elapsedMs : undefined;
      };
      // names propagate between hosts eventually (the classic overlay's KV and gossip): wait for them
      // to resolve, bounded, and report how long it took, before judging reachability by name
      const resolvedAfterMs =
        spec.by === 'name' ? await bothWaysWithin(NAME_WAIT_MS, (o) => o !== 'unresolved') : undefined;
      // across hosts an overlay learns where a new peer is a moment later (swarm's gossip, a store):
      // give the path a bounded time to come up, report it, and only then judge every protocol
      const reachedAfterMs = crossHost ? await bothWaysWithin(CONVERGE_MS, (o) => o === 'ok') : undefined;
      const table = await truthTable(ctx, peers, () => ok);
      const addresses = Object.fromEntries(['p1', 'p2'].map((n) => [n, scenario.addressOf(n, 'net')]));
      const hosts = Object.fromEntries(['p1', 'p2'].map((n) => [n, scenario.sandbox(n).host.name]));
      // peers on one network see each other's own address: no NAT between them
      const translated = table.rows.filter((r) => r.seenAs && r.seenAs !== addresses[r.from]);
      const problems = [
        describeMismatches(table),
        ...translated.map((r) => `${r.to} saw ${r.from} as ${r.seenAs}, not ${addresses[r.from]} (NAT between peers)`),
      ];
      return verdict(
        table.mismatches.length === 0 && translated.length === 0,
        {
          pass:
            `p1 and p2 (${crossHost ? 'different hosts' : 'one host'}) reach each other over ICMP, TCP and UDP ` +
            `by ${spec.by}, with no NAT between them`,
          fail: problems.filter(Boolean).join('; '),
        },
        { all: ok, by: spec.by, sourceSeenAs: "the peer's own address" },
        { addresses, hosts, table: table.rows },
        spec.by === 'name' || crossHost
          ? {
              ...(spec.by === 'name' ? { nameResolvedAfterMs: resolvedAfterMs ?? null } : {}),
              ...(crossHost ? { reachedAfterMs: reachedAfterMs ?? null } : {}),
            }
          : undefined,
      );
    },
  });
}
