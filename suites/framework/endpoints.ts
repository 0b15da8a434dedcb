import type { Sandbox } from '../../drivers/contract.ts';
import type { LabHost } from '../../lab/host.ts';
import type { CheckContext } from './context.ts';
import type { Endpoint } from './truth-table.ts';

/** The outside peer as a probe source and target ("the internet" on the lab underlay). */
export function outsidePeer(ctx: CheckContext): Endpoint {
  const o = ctx.lab.underlay!.outside;
  return { name: 'outside', source: { netns: o.netns, label: o.netns }, target: o.address };
}

export function sandboxEndpoint(name: string, sandbox: Sandbox, target?: string): Endpoint {
  return { name, source: { sandbox }, target: target ?? sandbox.address() };
}

export function hostAddress(host: LabHost): string {
  const a = host.descriptor.underlayAddress;
  if (!a) throw new Error(`${host.name} has no underlay address`);
  return a;
}
