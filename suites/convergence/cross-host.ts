import { LabFault } from '../../lab/lab-fault.ts';
import { classifyProbe, probeCommand } from '../../lab/probes.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { Scenario } from '../framework/scenario.ts';

const LIMIT_MS = 30_000;

/**
 * How long after an endpoint joins on host B it is reachable from host A: a sandbox on A probes
 * the new one over TCP (short connect timeout) in a loop from the moment B's sandbox exists.
 * A metric; the check fails only past LIMIT_MS.
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
    const b = ctx.use(
      await ctx.driver.createSandbox({ name: 'b', host: ctx.lab.hosts[1]!, network: scenario.network('net') }),
    );
    const joined = Date.now();
    const target = b.address(scenario.network('net'));
    if (!target) throw new Error('sandbox b has no address on net');
    const argv = probeCommand('tcp', target).map((x) => x.replace(/connect-timeout=\d+/, 'connect-timeout=0.2'));
    let attempts = 0;
    let reachedMs: number | undefined;
    let last;
    while (Date.now() - joined < LIMIT_MS) {
      attempts++;
      last = await a.exec(argv, 5_000);
      const outcome = classifyProbe('tcp', target, last).outcome;
      if (outcome === 'tool-error') {
        ctx.record(a.host.name, last);
        throw new LabFault('probe tool', `the TCP probe from ${a.name} could not run (exit ${last.exitCode})`);
      }
      if (outcome === 'ok') {
        reachedMs = Date.now() - joined;
        break;
      }
    }
    if (last) ctx.record(a.host.name, last);
    return verdict(
      reachedMs !== undefined,
      {
        pass: `reachable ${reachedMs} ms after the endpoint joined on ${b.host.name} (${attempts} attempt(s))`,
        fail: `not reachable within ${LIMIT_MS / 1000}s (${attempts} attempts)`,
      },
      { reachableWithinMs: LIMIT_MS },
      { convergenceMs: reachedMs ?? null, attempts },
      { convergenceMs: reachedMs ?? null, attempts },
    );
  },
});
