import type { Driver } from '../contract.ts';
import { dockerDriver } from './docker-driver.ts';
import { joinClusterStore } from './kv-store.ts';
import { formSwarm } from './swarm.ts';

/** Docker's user-defined bridge network: NAT by iptables, embedded DNS. */
export const dockerBridge: Driver = dockerDriver({
  id: 'docker-bridge',
  implementation: 'docker:bridge',
  description: "Docker's bridge driver (user-defined network)",
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
    iccOff: { 'com.docker.network.bridge.enable_icc': 'false' },
  },
  networking: { networkDriver: 'bridge' },
});

export const dockerNone: Driver = dockerDriver({
  id: 'docker-none',
  implementation: 'docker:none',
  description: "Docker's null driver (--network none)",
  profile: { mode: 'none', scope: 'local', isolated: true, nat: false, dns: false, multiHost: false },
  networking: { builtinNetwork: 'none' },
});

export const dockerHost: Driver = dockerDriver({
  id: 'docker-host',
  implementation: 'docker:host',
  description: "Docker's host driver (--network host)",
  profile: { mode: 'host', scope: 'local', isolated: false, nat: false, dns: false, multiHost: false },
  networking: { builtinNetwork: 'host' },
});

/** container:<id> mode; the primary sandbox sits on a user-defined bridge network. */
export const dockerContainer: Driver = dockerDriver({
  id: 'docker-container',
  implementation: 'docker:container',
  description: 'Docker container mode (--network container:<id>)',
  profile: { mode: 'container', scope: 'local', isolated: true, nat: true, dns: false, multiHost: false },
  networking: { networkDriver: 'bridge' },
});

/** Swarm-mode overlay across the lab's hosts; swarm takes VNIs from 4096 up (observed: 4097 first). */
export const dockerOverlay: Driver = dockerDriver({
  id: 'docker-overlay',
  implementation: 'docker:overlay/swarm',
  description: "Docker's overlay driver in swarm mode (attachable network)",
  profile: {
    mode: 'overlay',
    scope: 'global',
    isolated: true,
    nat: true,
    dns: true,
    multiHost: true,
    vniRange: [4096, 16777215],
    mtu: 1450,
  },
  networking: { networkDriver: 'overlay', attachable: true, global: true },
  // a loaded manager may not hand a container its attachment in time: swarm's own deadline, an engine
  // error the check is run again for (never the harness's)
  transientErrors: /attaching to network failed.*context deadline exceeded/,
  unsupportedReason: (lab) =>
    lab.kind === 'local' || lab.hostCount < 2
      ? "needs at least 2 hosts of a netns or remote lab (swarm across them; the machine's own engine is never " +
        'put into swarm mode)'
      : undefined,
  engines: 'swarm',
  setup: formSwarm,
});

/** The classic overlay: engines share state through the lab's etcd (removed from Docker in 23.0); VNIs from 256. */
export const dockerOverlayKv: Driver = dockerDriver({
  id: 'docker-overlay-kv',
  implementation: 'docker:overlay/kv',
  description: "Docker's classic overlay driver with a KV store (--cluster-store etcd)",
  profile: {
    mode: 'overlay',
    scope: 'global',
    isolated: true,
    nat: true,
    dns: true,
    multiHost: true,
    vniRange: [256, 1000],
    mtu: 1450,
  },
  networking: { networkDriver: 'overlay', global: true },
  // libnetwork sometimes dials the KV store from a thread left in a container's namespace, and a
  // network made on one host reaches the other hosts' stores only eventually (engine errors only:
  // never the harness's own)
  transientErrors: new RegExp(
    [
      'etcd cluster is unavailable',
      'the engine gave container \\S+ no address',
      'failed to get network from store',
      // the store dialled from a container's namespace, where the lab's etcd has no route
      'failed to update store for object type .*dial tcp \\S+:2379: connect: network is unreachable',
      // a removed container of another host still counted in the store past the 20 s a removal waits
      'error while removing network: .* has active endpoints',
    ].join('|'),
  ),
  unsupportedReason: (lab) =>
    lab.kind !== 'netns' || lab.hostCount < 2 || !lab.hasKv
      ? 'needs the netns lab with at least 2 hosts and its etcd'
      : undefined,
  engines: 'restart',
  keepsStateInLabKv: true,
  setup: joinClusterStore,
});
