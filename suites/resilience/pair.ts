import type { Sandbox } from '../../drivers/contract.ts';
import { LabFault } from '../../lab/lab-fault.ts';
import { waitUntil } from '../../lab/wait.ts';
import { verdict, type CheckOutcome } from '../framework/check.ts';
import type { CheckContext } from '../framework/context.ts';
import type { LabResource } from '../framework/lab-claims.ts';
import { probe, ProbeToolFault } from '../framework/probe.ts';
import { Scenario } from '../framework/scenario.ts';

/** A fault reaches everything on the lab: a resilience check runs with the lab to itself. */
export const WHOLE_LAB: LabResource[] = ['host-state', 'vxlan', 'kv', 'host-ports'];

/** Two sandboxes on one network: on two hosts where the driver spans hosts, else on the first. */
export interface Pair {
  scenario: Scenario;
  p1: Sandbox;
  p2: Sandbox;
  crossHost: boolean;
  /** How long the two took to reach each other at first (the positive control before any fault). */
  reachedAfterMs: number;
}

/** How long a path (new, or back after a fault) may take before it is judged absent. */
export const PATH_WAIT_MS = 20_000;

/** Whether `from` reaches `to` over ICMP within `timeoutMs`, and after how long. */
export async function reaches(
  ctx: CheckContext,
  from: Sandbox,
  to: string,
  timeoutMs = PATH_WAIT_MS,
): Promise<{ reached: boolean; afterMs: number }> {
  // a sandbox that is not running (an engine did not start it again) is unreachable, not a broken probe
  // a probe cut off at its bound (the sandbox's processes stopped mid-way by an engine restart, a machine
  // too busy) is tried again; only if the wait ends on one does it stand, as an error (the probe saw nothing)
  const attempt = (): Promise<{ outcome: string; cutOff?: ProbeToolFault }> =>
    probe(ctx, { sandbox: from }, 'icmp', to).catch((e: unknown) => {
      if (e instanceof LabFault && /is not running|No such container/.test(e.message)) return { outcome: 'down' };
      if (e instanceof ProbeToolFault && e.cutOff) return { outcome: 'cut-off', cutOff: e };
      throw e;
    });
  const waited = await waitUntil(attempt, (r) => r.outcome === 'ok', {
    what: `${from.name} to reach ${to}`,
    timeoutMs,
    intervalMs: 100,
    maxIntervalMs: 500,
    signal: ctx.signal,
  });
  if (!waited.done && waited.value.cutOff) throw waited.value.cutOff;
  return { reached: waited.done, afterMs: waited.elapsedMs };
}

/** The address of sandbox `role` (p1, p2) on the pair's network, read again (a restart may have changed it). */
export async function addressNow(pair: Pair, role: 'p1' | 'p2'): Promise<string> {
  await pair.scenario.sandbox(role).refresh?.();
  return pair.scenario.addressOf(role, 'net');
}

/**
 * Builds the pair and checks it works before any fault: a pair that never reached each other says
 * nothing about resilience. Returns the pair, or the check's outcome: a fail saying so.
 */
export async function workingPair(
  ctx: CheckContext,
  options: { restartPolicy?: 'always'; forceCrossHost?: boolean } = {},
): Promise<Pair | CheckOutcome> {
  const crossHost = (options.forceCrossHost || ctx.profile.multiHost) && ctx.lab.hosts.length > 1;
  const restart = options.restartPolicy ? { restartPolicy: options.restartPolicy } : {};
  const scenario = await Scenario.build(ctx, {
    networks: [{ name: 'net' }],
    sandboxes: [
      { name: 'p1', host: 0, network: 'net', ...restart },
      { name: 'p2', host: crossHost ? 1 : 0, network: 'net', ...restart },
    ],
  });
  const p1 = scenario.sandbox('p1');
  const p2 = scenario.sandbox('p2');
  const there = await reaches(ctx, p1, scenario.addressOf('p2', 'net'));
  const back = there.reached ? await reaches(ctx, p2, scenario.addressOf('p1', 'net')) : there;
  if (!there.reached || !back.reached)
    return verdict(
      false,
      {
        pass: '',
        fail:
          `before any fault, p1 and p2 (${crossHost ? 'two hosts' : 'one host'}) did not reach each other within ` +
          `${PATH_WAIT_MS / 1000} s: nothing to judge resilience by (the connectivity checks say why)`,
      },
      'p1 and p2 reach each other before any fault',
      { there: there.reached, back: back.reached },
    );
  return { scenario, p1, p2, crossHost, reachedAfterMs: Math.max(there.afterMs, back.afterMs) };
}

/** A failed step's message, first line only: the evidence of what the engine or the driver said. */
export function said(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 400);
}
