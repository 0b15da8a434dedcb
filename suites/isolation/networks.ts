import { defineCheck, verdict } from '../framework/check.ts';
import { blocked, ok } from '../framework/expectations.ts';
import { Scenario } from '../framework/scenario.ts';
import { describeMismatches, truthTable } from '../framework/truth-table.ts';

const PLACEMENT: Record<string, string> = { a1: 'A', a2: 'A', b1: 'B' };

/** Two networks on one host: peers within a network reach each other; nothing crosses between them, either way. */
export default defineCheck({
  id: 'isolation/networks',
  title: 'Networks on one host are isolated from each other (truth table)',
  requires: { modes: ['bridge', 'overlay'] },
  // the hosts' firewall, as another check reprograms it beside this one: Docker's bridge once let an
  // ICMP echo cross between two of its networks while its other check made and removed networks on
  // the same engine (npm start, this machine); a crossing is therefore confirmed with the hosts alone
  readsWhole: ['host-state'],
  async run(ctx) {
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'A' }, { name: 'B' }],
      sandboxes: Object.entries(PLACEMENT).map(([name, network]) => ({ name, network })),
    });
    const peers = Object.entries(PLACEMENT).map(([name, network]) => ({
      name,
      source: { sandbox: scenario.sandbox(name) },
      target: scenario.addressOf(name, network),
      serves: true as const,
    }));
    const expect = (from: { name: string }, to: { name: string }) =>
      PLACEMENT[from.name] === PLACEMENT[to.name] ? ok : blocked;
    const table = await truthTable(ctx, peers, expect);
    return verdict(
      table.mismatches.length === 0,
      {
        pass: 'same-network pairs reach each other; no traffic crosses between networks A and B',
        fail: describeMismatches(table),
      },
      { rule: 'ok within a network, blocked across networks', placement: PLACEMENT },
      { addresses: Object.fromEntries(peers.map((e) => [e.name, e.target])), table: table.rows },
    );
  },
});
