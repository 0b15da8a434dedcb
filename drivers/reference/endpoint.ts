import { mustRun, run } from '../../lab/linux/command.ts';
import type { NativeSandbox } from './sandbox.ts';

export interface EndpointSpec {
  /** The host-side veth name (≤ 15 characters), enslaved to `bridge` in the host namespace. */
  hostIf: string;
  bridge: string;
  ip: string;
  prefix: number;
  mac: string;
  mtu: number;
  /** Default route via this gateway (bridge networks); overlay endpoints route only their subnet. */
  gateway?: string;
}

/**
 * CNM's Endpoint: a veth pair made inside the host namespace, one end moved straight into the
 * sandbox (it never exists in the machine's root namespace), the other enslaved to the bridge.
 */
export class Endpoint {
  private constructor(
    readonly spec: EndpointSpec,
    readonly hostNetns: string,
    readonly sandbox: NativeSandbox,
    readonly ifname: string,
  ) {}

  static async create(hostNetns: string, sandbox: NativeSandbox, spec: EndpointSpec): Promise<Endpoint> {
    const existing = await run(['ip', '-o', 'link', 'show'], { netns: sandbox.netns });
    const ifname = `eth${(existing.output.match(/: eth\d+/g) ?? []).length}`;
    await mustRun(
      [
        'ip',
        'link',
        'add',
        spec.hostIf,
        'mtu',
        String(spec.mtu),
        'type',
        'veth',
        'peer',
        'name',
        ifname,
        'netns',
        sandbox.netns,
      ],
      { netns: hostNetns },
    );
    const endpoint = new Endpoint(spec, hostNetns, sandbox, ifname);
    try {
      await mustRun(['ip', 'link', 'set', spec.hostIf, 'master', spec.bridge, 'up'], { netns: hostNetns });
      const inside = (argv: string[]) => mustRun(argv, { netns: sandbox.netns });
      await inside(['ip', 'link', 'set', ifname, 'address', spec.mac, 'mtu', String(spec.mtu), 'up']);
      await inside(['ip', 'addr', 'add', `${spec.ip}/${spec.prefix}`, 'dev', ifname]);
      // the first network with a gateway gives the default route; later ones do not take it over
      const defaultRoute = await run(['ip', 'route', 'show', 'default'], { netns: sandbox.netns });
      if (spec.gateway && !defaultRoute.output.trim())
        await inside(['ip', 'route', 'add', 'default', 'via', spec.gateway, 'dev', ifname]);
    } catch (e) {
      // nothing half-made stays behind: the pair goes as a whole
      await endpoint.remove();
      throw e;
    }
    return endpoint;
  }

  async remove(): Promise<void> {
    await run(['ip', 'link', 'delete', this.spec.hostIf], { netns: this.hostNetns });
  }
}
