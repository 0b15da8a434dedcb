import { LabFault } from '../../lab/lab-fault.ts';
import { classifyProbe, probeCommand } from '../../lab/probes.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { Scenario } from '../framework/scenario.ts';

const LIMIT_MS = 30_000;

interface Joined {
  host: string;
  reachedMs?: number;
  attempts: number;
}

/**
 * How long after an endpoint joins on another host it is reachable from host A: for each other lab
 * host in turn, a sandbox on A probes a new one there over TCP (short connect timeout) in a loop
 * from the moment it exists. A metric (the slowest host's); the check fails only past LIMIT_MS.
 */
export default defineCheck({
  id: 'convergence/cross-host',
  title: 'A new endpoint on another host becomes reachable (convergence time)',
  requires: { modes: ['overlay'], features: ['multiHost'], minHosts: 2 },
  async run(ctx) {
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'net' }],
      sandboxes: [{ name: 'a', host: 0, network: 'net' }],
    });
    const a = scenario.sandbox('a');
    const net = scenario.network('net');
    const joined: Joined[] = [];
    for (const [i, host] of ctx.lab.hosts.slice(1).entries()) {
      const b = ctx.use(await ctx.driver.createSandbox({ name: `b${i + 1}`, host, network: net }));
      const since = Date.now();
      const target = b.address(net);
      if (!target) throw new Error(`sandbox ${b.name} has no address on net`);
      const argv = probeCommand('tcp', target).map((x) => x.replace(/connect-timeout=\d+/, 'connect-timeout=0.2'));
      const entry: Joined = { host: host.name, attempts: 0 };
      let last;
      while (Date.now() - since < LIMIT_MS) {
        entry.attempts++;
        last = await a.exec(argv, 5_000);
        const outcome = classifyProbe('tcp', target, last).outcome;
        if (outcome === 'tool-error') {
          ctx.record(a.host.name, last);
          throw new LabFault('probe tool', `the TCP probe from ${a.name} could not run (exit ${last.exitCode})`);
        }
        if (outcome === 'ok') {
          entry.reachedMs = Date.now() - since;
          break;
        }
      }
      if (last) ctx.record(a.host.name, last);
      joined.push(entry);
    }
    const late = joined.filter((j) => j.reachedMs === undefined);
    const slowest = late.length ? null : Math.max(...joined.map((j) => j.reachedMs!));
    const attempts = joined.reduce((n, j) => n + j.attempts, 0);
    const times = joined.map((j) => `${j.reachedMs} ms after joining on ${j.host}`).join(', ');
    return verdict(
      late.length === 0,
      {
        pass: `reachable ${times} (${attempts} attempt(s))`,
        fail: `not reachable within ${LIMIT_MS / 1000}s on ${late.map((j) => j.host).join(', ')}`,
      },
      { reachableWithinMs: LIMIT_MS },
      { convergenceMs: slowest, attempts, perHost: joined },
      { convergenceMs: slowest, attempts },
    );
  },
});
