import type { LabHost } from '../../../lab/host.ts';
import type { StartedLab } from '../../../lab/lab.ts';
import type { Driver } from '../../contract.ts';
import { dockerDriver } from '../../docker/docker-driver.ts';
import { NEEDS_NETNS_LAB, REFERENCE_VNI_ALLOCATOR } from '../ref-driver.ts';
import { startLabPlugins } from './lab-plugins.ts';
import { PLUGIN_NAMES } from './serve.ts';

/** The plugins run on the lab's first host too: the protocol suite talks to that one directly. */
async function setupPlugins(lab: StartedLab, name: string) {
  const plugins = await startLabPlugins(lab);
  const first = plugins.hosts[0]!;
  return {
    evidence: plugins.hosts.map((h) => ({
      command: `cnm-harness plugin serve (in ${h.host.netns})`,
      exitCode: 0,
      output: `sockets: ${Object.values(h.sockets).join(', ')}; log: ${h.logFile}`,
      timedOut: false,
    })),
    teardown: () => plugins.stop(),
    restartPlugin: (host: LabHost) => plugins.restart(host),
    remotePlugin: {
      name,
      address: { socketPath: first.sockets[name]! },
      activate: true,
      netns: first.host.netns,
      host: first.host,
      mtuOption: 'com.docker.network.driver.mtu',
    },
  };
}

/** ref-bridge served to Docker as the remote plugin `cnm-ref-bridge`; Docker's own IPAM and DNS. */
export const refBridgeAtDocker: Driver = dockerDriver({
  id: 'ref-bridge@docker',
  implementation: `remote:${PLUGIN_NAMES.bridge}`,
  description: 'reference bridge as a Docker remote network plugin (cnm-ref-bridge), driven through the engine',
  profile: {
    mode: 'bridge',
    scope: 'local',
    isolated: true,
    nat: true,
    dns: true,
    multiHost: false,
    mtu: 1500,
    mtuOption: true,
    publish: true,
    internal: true,
    iccOff: { icc: 'false' },
    remote: true,
  },
  networking: { networkDriver: PLUGIN_NAMES.bridge },
  restartablePlugin: true,
  unsupportedReason: NEEDS_NETNS_LAB,
  setup: (lab) => setupPlugins(lab, PLUGIN_NAMES.bridge),
});

/**
 * ref-overlay served to Docker as `cnm-ref-overlay` with the etcd-backed IPAM `cnm-ref-ipam`: the
 * network is made on every host with one subnet (local scope, global connectivity), so it needs
 * neither swarm nor Docker's KV store. DNS stays per engine, so names do not resolve across hosts.
 */
export const refOverlayAtDocker: Driver = dockerDriver({
  id: 'ref-overlay@docker',
  implementation: `remote:${PLUGIN_NAMES.overlay}`,
  description:
    'reference overlay as a Docker remote network plugin (cnm-ref-overlay + cnm-ref-ipam), one network per host ' +
    'sharing a VNI',
  profile: {
    mode: 'overlay',
    scope: 'global',
    isolated: true,
    nat: false,
    dns: false,
    multiHost: true,
    vniRange: [256, 1000],
    mtu: 1450,
    configurableVniRange: true,
    remote: true,
  },
  networking: { networkDriver: PLUGIN_NAMES.overlay, ipamDriver: PLUGIN_NAMES.ipam, perHost: true },
  vniAllocator: REFERENCE_VNI_ALLOCATOR,
  restartablePlugin: true,
  keepsStateInLabKv: true,
  unsupportedReason: (lab) => NEEDS_NETNS_LAB(lab) ?? (lab.hasKv ? undefined : 'needs the lab etcd'),
  setup: (lab) => setupPlugins(lab, PLUGIN_NAMES.overlay),
});
