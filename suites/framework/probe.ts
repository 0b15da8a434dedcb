import type { Sandbox } from '../../drivers/contract.ts';
import type { LabHost } from '../../lab/host.ts';
import { LabFault } from '../../lab/lab-fault.ts';
import { run, type CommandResult } from '../../lab/linux/command.ts';
import { classifyProbe, PROBE_TIMEOUT_MS, probeCommand, type ProbeResult, type Protocol } from '../../lab/probes.ts';
import type { CheckContext } from './context.ts';

/** Where a probe comes from: a sandbox, or a lab namespace such as a host or the outside peer. */
export type ProbeSource = { sandbox: Sandbox } | { host: LabHost } | { netns: string; label: string };

/** A probe that could not run; `cutOff`: it was still running at its time bound (a hang, or a machine too busy). */
export class ProbeToolFault extends LabFault {
  constructor(
    message: string,
    readonly cutOff: boolean,
  ) {
    super('probe tool', message);
  }
}

function sourceName(from: ProbeSource): string {
  return 'sandbox' in from ? `sandbox ${from.sandbox.name}` : 'host' in from ? from.host.name : from.label;
}

/**
 * Sends one probe and records its evidence. A probe that could not run (a missing tool, a crash, a
 * hang) proves nothing about the network: it throws a LabFault, and the check is an error.
 */
export async function probe(
  ctx: CheckContext,
  from: ProbeSource,
  protocol: Protocol,
  target: string,
  port?: number,
): Promise<ProbeResult> {
  const argv = probeCommand(protocol, target, port);
  let r: CommandResult;
  if ('sandbox' in from)
    r = ctx.record(from.sandbox.host.name, await from.sandbox.exec(argv, PROBE_TIMEOUT_MS, ctx.signal));
  else if ('host' in from) r = await ctx.onHost(from.host, argv);
  else
    r = ctx.record(from.label, await run(argv, { netns: from.netns, timeoutMs: PROBE_TIMEOUT_MS, signal: ctx.signal }));
  const result = classifyProbe(protocol, target, r);
  if (result.outcome === 'tool-error') {
    const output = r.output.trim().split('\n').slice(-2).join(' | ');
    throw new ProbeToolFault(
      `the ${protocol} probe from ${sourceName(from)} to ${target} could not run (exit ${r.exitCode}` +
        `${r.timedOut ? ', cut off at its time bound' : ''}): ${output || 'no output'}`,
      r.timedOut,
    );
  }
  return result;
}
