import type { Sandbox } from '../../drivers/contract.ts';
import type { LabHost } from '../../lab/host.ts';
import type { CheckContext } from './context.ts';
import type { ProbePeer } from './truth-table.ts';

/** The outside peer as a probe source and target ("the internet" on the lab underlay). */
export function outsidePeer(ctx: CheckContext): ProbePeer {
  const o = ctx.lab.underlay!.outside;
  return { name: 'outside', source: { netns: o.netns, label: o.netns }, target: o.address, serves: true };
}

export function sandboxPeer(name: string, sandbox: Sandbox, target?: string): ProbePeer {
  return { name, source: { sandbox }, target: target ?? sandbox.address(), serves: true };
}

export function hostAddress(host: LabHost): string {
  const a = host.descriptor.underlayAddress;
  if (!a) throw new Error(`${host.name} has no underlay address`);
  return a;
}
