import { mustRun } from '../../../lab/linux/command.ts';
import { PluginError } from './server.ts';

/** An endpoint as the reference plugins keep it between CreateEndpoint and DeleteEndpoint. */
export interface PluginEndpoint {
  ip: string;
  mac: string;
  /** The veth end on the network's side. */
  hostIf: string;
  /** The veth end Docker moves into the sandbox (Join's SrcName). */
  peer: string;
  joined: boolean;
}

export interface JoinSteps {
  /** Makes the veth pair `hostIf`/`peer`, `peer` in the engine's namespace `netns`. */
  makePair(): Promise<void>;
  /** Removes whatever of the pair exists. */
  dropPair(): Promise<void>;
  netns: string | undefined;
  /** What else Join does once the pair is up (the overlay publishes the endpoint). */
  after?: () => Promise<void>;
}

/**
 * Join's part every reference plugin shares: everything is checked before anything is made, the
 * pair is made, the sandbox end gets the endpoint's MAC, and a failure at any step takes the pair
 * away again — a refused Join leaves nothing behind.
 */
export async function joinEndpoint(ep: PluginEndpoint, id: string, steps: JoinSteps): Promise<object> {
  if (ep.joined) throw new PluginError(`endpoint ${id} has joined a sandbox already`);
  await steps.makePair();
  try {
    await mustRun(['ip', 'link', 'set', ep.peer, 'address', ep.mac], { netns: steps.netns });
    await steps.after?.();
  } catch (e) {
    await steps.dropPair();
    throw e;
  }
  ep.joined = true;
  return { InterfaceName: { SrcName: ep.peer, DstPrefix: 'eth' } };
}

type EndpointOf<N> = N extends { endpoints: Map<string, infer E> } ? E : never;

/**
 * DeleteEndpoint's shared part: an endpoint (or network) this plugin does not know is deleted
 * already — the call is idempotent — otherwise `release` undoes what it holds, then it is forgotten.
 */
export async function deleteEndpoint<N extends { endpoints: Map<string, PluginEndpoint> }>(
  networks: Map<string, N>,
  req: Record<string, unknown>,
  release: (network: N, endpoint: EndpointOf<N>, id: string) => Promise<void>,
): Promise<object> {
  const id = String(req.EndpointID);
  const n = networks.get(String(req.NetworkID));
  const ep = n?.endpoints.get(id) as EndpointOf<N> | undefined;
  if (!n || !ep) return {};
  await release(n, ep, id);
  n.endpoints.delete(id);
  return {};
}
