import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../drivers/contract.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import type { CheckContext } from '../framework/context.ts';
import { ProbeToolFault } from '../framework/probe.ts';
import { reaches } from './pair.ts';

// the logic of waiting for a path through cut-off probes; the real path is resilience/engine-restart's
const REPLY = '64 bytes from 10.0.0.2: seq=0 ttl=64\n1 packets transmitted, 1 packets received';
const result = (over: Partial<CommandResult>): CommandResult => ({
  command: 'ping',
  exitCode: 0,
  output: REPLY,
  timedOut: false,
  ...over,
});

/** A sandbox whose probes give these results in turn (the last one again once they run out). */
function sandboxGiving(results: CommandResult[]): Sandbox {
  let i = 0;
  return {
    name: 'p1',
    host: { name: 'h1' },
    exec: async () => results[Math.min(i++, results.length - 1)]!,
  } as unknown as Sandbox;
}

const ctx = { record: (_host: string, r: CommandResult) => r, signal: new AbortController().signal } as CheckContext;

describe('reaches', () => {
  it('tries a probe cut off at its bound again, and a later answer counts', async () => {
    const cutOff = result({ exitCode: 124, timedOut: true });
    const r = await reaches(ctx, sandboxGiving([cutOff, cutOff, result({})]), '10.0.0.2', 5_000);
    expect(r.reached).toBe(true);
  });

  it('is an error naming the probe tool when the wait ends on a cut-off probe, not "unreachable"', async () => {
    const cutOff = result({ exitCode: 124, timedOut: true });
    await expect(reaches(ctx, sandboxGiving([cutOff]), '10.0.0.2', 300)).rejects.toBeInstanceOf(ProbeToolFault);
  });

  it('is not reached when the network said nothing back (no reply, no fault)', async () => {
    const lost = result({ exitCode: 1, output: '1 packets transmitted, 0 packets received' });
    const r = await reaches(ctx, sandboxGiving([lost]), '10.0.0.2', 300);
    expect(r.reached).toBe(false);
  });

  it('throws at once for a probe that cannot run at all (a missing tool)', async () => {
    const missing = result({ exitCode: 127, output: 'sh: busybox: not found' });
    await expect(reaches(ctx, sandboxGiving([missing]), '10.0.0.2', 5_000)).rejects.toThrow(/could not run/);
  });
});
