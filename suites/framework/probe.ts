import type { Sandbox } from '../../drivers/contract.ts';
import type { LabHost } from '../../lab/host.ts';
import { run } from '../../lab/linux/command.ts';
import { classifyProbe, PROBE_TIMEOUT_MS, probeCommand, type ProbeResult, type Protocol } from '../../lab/probes.ts';
import type { CheckContext } from './context.ts';

/** Where a probe comes from: a sandbox, or a lab namespace such as a host or the outside peer. */
export type ProbeSource = { sandbox: Sandbox } | { host: LabHost } | { netns: string; label: string };

/** Sends one probe and records its evidence. */
export async function probe(
  ctx: CheckContext,
  from: ProbeSource,
  protocol: Protocol,
  target: string,
  port?: number,
): Promise<ProbeResult> {
  const argv = probeCommand(protocol, target, port);
  if ('sandbox' in from) {
    const r = await from.sandbox.exec(argv, PROBE_TIMEOUT_MS);
    ctx.record(from.sandbox.host.name, r);
    return classifyProbe(protocol, target, r);
  }
  if ('host' in from) {
    const r = await ctx.onHost(from.host, argv);
    return classifyProbe(protocol, target, r);
  }
  const r = ctx.record(from.label, await run(argv, { netns: from.netns, timeoutMs: PROBE_TIMEOUT_MS }));
  return classifyProbe(protocol, target, r);
}
