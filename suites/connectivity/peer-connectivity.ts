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
 * Sandboxes on one network reach each other over ICMP, TCP and UDP, every pair both ways. `hosts`
 * places them: two on one host, or one on every lab host (a full mesh of cross-host pairs, however
 * many hosts the lab has); `by` says whether peers are addressed by IP or by the name the driver's
 * DNS serves. Across hosts, the TCP/UDP servers also report the source address they saw: no NAT
 * between peers.
 */
export function peerConnectivity(spec: {
  id: string;
  title: string;
  hosts: 'one' | 'every';
  by: 'address' | 'name';
  modes?: Mode[];
}): Check {
  const crossHost = spec.hosts === 'every';
  return defineCheck({
    id: spec.id,
    title: spec.title,
    requires: {
      modes: spec.modes ?? ['bridge', 'overlay'],
      features: [...(crossHost ? (['multiHost'] as const) : []), ...(spec.by === 'name' ? (['dns'] as const) : [])],
      ...(crossHost ? { minHosts: 2 } : {}),
    },
    async run(ctx) {
      const placements = crossHost ? ctx.lab.hosts.map((_, i) => i) : [0, 0];
      const names = placements.map((_, i) => `p${i + 1}`);
      const scenario = await Scenario.build(ctx, {
        networks: [{ name: 'net' }],
        sandboxes: placements.map((host, i) => ({ name: names[i]!, host, network: 'net' })),
      });
      const peers = names.map((name) => {
        const sandbox = scenario.sandbox(name);
        return {
          name,
          source: { sandbox },
          target: spec.by === 'name' ? sandbox.dnsName : scenario.addressOf(name, 'net'),
        };
      });
      const pairs = peers.flatMap((from) => peers.filter((to) => to !== from).map((to) => [from, to] as const));
      // ICMP every pair both ways until `done` holds for every outcome or `ms` runs out: how long it took, or undefined
      const bothWaysWithin = async (ms: number, done: (outcome: string) => boolean) => {
        const waited = await waitUntil(
          () => Promise.all(pairs.map(([from, to]) => probe(ctx, from.source, 'icmp', to.target))),
          (outcomes) => outcomes.every((o) => done(o.outcome)),
          { what: 'every pair', timeoutMs: ms, intervalMs: 250, maxIntervalMs: 250, signal: ctx.signal },
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
      let table = await truthTable(ctx, peers, () => ok);
      // names that had resolved and then did not (seen once: Docker's embedded DNS, its engine busy with
      // other networks, answering none of six lookups at once) are looked up again within the same bound;
      // the first table stays in the result, and a name that still does not resolve is a fail
      const unresolvedOnly = table.mismatches.length > 0 && table.mismatches.every((m) => m.observed === 'unresolved');
      let firstTable: typeof table.rows | undefined;
      if (spec.by === 'name' && resolvedAfterMs !== undefined && unresolvedOnly) {
        firstTable = table.rows;
        await bothWaysWithin(NAME_WAIT_MS, (o) => o !== 'unresolved');
        table = await truthTable(ctx, peers, () => ok);
      }
      const addresses = Object.fromEntries(names.map((n) => [n, scenario.addressOf(n, 'net')]));
      const hosts = Object.fromEntries(names.map((n) => [n, scenario.sandbox(n).host.name]));
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
            `${crossHost ? `${names.join(', ')} (one on each of ${names.length} hosts)` : 'p1 and p2 (one host)'} ` +
            `reach each other over ICMP, TCP and UDP, every pair both ways, ` +
            `by ${spec.by}, with no NAT between them`,
          fail: problems.filter(Boolean).join('; '),
        },
        { all: ok, by: spec.by, sourceSeenAs: "the peer's own address", pairs: pairs.length },
        { addresses, hosts, table: table.rows, ...(firstTable ? { namesLostThenTriedAgain: firstTable } : {}) },
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
