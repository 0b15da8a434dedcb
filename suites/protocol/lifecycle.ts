import type { Exchange } from '../../drivers/remote/plugin-client.ts';
import { ProtocolSession, succeeded, type TestEndpoint, type TestNetwork } from './session.ts';

export interface Lifecycle {
  network: TestNetwork;
  /** Undefined when CreateNetwork failed. */
  endpoint?: TestEndpoint;
  sandbox: { netns: string; key: string };
  steps: { call: string; exchange: Exchange }[];
  /** Join's interface, when Join succeeded. */
  srcName?: string;
  dstPrefix?: string;
  /** The first step that did not succeed, if any. */
  failedAt?: string;
}

/** What stopped a lifecycle, for a reason (`stopped at <call>: <what came back>`). */
export function stoppedAt(l: Lifecycle): string {
  const e = l.steps.at(-1)?.exchange;
  const got = !e
    ? ''
    : e.failure
      ? `: ${e.failure}${e.detail ? ` (${e.detail})` : ''}`
      : `: ${e.status} ${e.text.slice(0, 200)}`;
  return `stopped at ${l.failedAt}${got}`;
}

/**
 * The calls Docker makes for one container on one network: CreateNetwork, CreateEndpoint, Join,
 * then (unless `keepJoined`) Leave, DeleteEndpoint, DeleteNetwork. Stops at the first failure.
 */
export async function runLifecycle(
  session: ProtocolSession,
  options: { generic?: Record<string, string>; keepJoined?: boolean; between?: (l: Lifecycle) => Promise<void> } = {},
): Promise<Lifecycle> {
  const steps: Lifecycle['steps'] = [];
  const step = (call: string, exchange: Exchange) => {
    steps.push({ call, exchange });
    return succeeded(exchange);
  };
  const sandbox = await session.sandboxKey();
  const { exchange: created, network } = await session.createNetwork(options.generic);
  const l: Lifecycle = { network, sandbox, steps };
  if (!step('NetworkDriver.CreateNetwork', created)) return { ...l, failedAt: 'NetworkDriver.CreateNetwork' };
  const { exchange: ep, endpoint } = await session.createEndpoint(network, 1);
  l.endpoint = endpoint;
  if (!step('NetworkDriver.CreateEndpoint', ep)) return { ...l, failedAt: 'NetworkDriver.CreateEndpoint' };
  const join = await session.join(endpoint, sandbox.key);
  if (!step('NetworkDriver.Join', join)) return { ...l, failedAt: 'NetworkDriver.Join' };
  const names = (join.body as { InterfaceName?: { SrcName?: string; DstPrefix?: string } }).InterfaceName;
  l.srcName = names?.SrcName;
  l.dstPrefix = names?.DstPrefix;
  await options.between?.(l);
  if (options.keepJoined) return l;
  for (const [call, send] of [
    ['NetworkDriver.Leave', () => session.leave(endpoint)],
    ['NetworkDriver.DeleteEndpoint', () => session.deleteEndpoint(endpoint)],
    ['NetworkDriver.DeleteNetwork', () => session.deleteNetwork(network)],
  ] as const) {
    if (!step(call, await send())) return { ...l, failedAt: call };
  }
  return l;
}
