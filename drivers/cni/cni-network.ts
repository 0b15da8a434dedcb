import type { StartedNetwork } from '../contract.ts';
import type { Conflist, PluginConf } from './cni-plugin.ts';

/**
 * A CNI network: a configuration, not an object anywhere. Each network the harness makes gets a
 * name, a bridge (for the bridge plugin) and a subnet of its own; for plugins whose endpoints meet
 * on the lab's underlay (macvlan, ipvlan) each host allocates from its own slice of the subnet.
 */
export class CniNetwork implements StartedNetwork {
  constructor(
    readonly name: string,
    readonly id: string,
    readonly subnet: string,
    readonly gateway: string | undefined,
    private readonly template: Conflist,
    private readonly bridgeName: string,
    private readonly splitPerHost: boolean,
  ) {}

  /** The conflist as this network on host `index` of `count` uses it, its IPAM state under `dataDir`. */
  configFor(index: number, count: number, dataDir: string): Conflist {
    const base = this.subnet.split('/')[0]!.split('.').slice(0, 3).join('.');
    const size = Math.floor(252 / Math.max(count, 1));
    const range = this.splitPerHost
      ? { rangeStart: `${base}.${2 + index * size}`, rangeEnd: `${base}.${1 + (index + 1) * size}` }
      : {};
    const plugins = this.template.plugins.map((p): PluginConf => {
      const conf: PluginConf = structuredClone(p);
      if (conf.type === 'bridge') conf.bridge = this.bridgeName;
      const ipam = conf.ipam as Record<string, unknown> | undefined;
      if (ipam?.type === 'host-local') {
        delete ipam.subnet;
        ipam.ranges = [[{ subnet: this.subnet, ...range, ...(this.gateway ? { gateway: this.gateway } : {}) }]];
        ipam.dataDir = dataDir;
      }
      return conf;
    });
    return { cniVersion: this.template.cniVersion, name: this.name, plugins };
  }

  async remove(): Promise<void> {
    // a CNI network is only configuration; what the plugins made stays until DEL (or forever: the
    // bridge plugin keeps its bridge, by design) — and the lifecycle checks report it as it is
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}
