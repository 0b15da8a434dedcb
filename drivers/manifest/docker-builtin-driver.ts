import type { Driver } from '../contract.ts';
import { dockerDriver } from '../docker/docker-driver.ts';
import { joinClusterStore } from '../docker/kv-store.ts';
import { formSwarm } from '../docker/swarm.ts';
import { dockerNetworkingOf, manifestDriverId, type LoadedManifest } from './manifest.ts';

/**
 * `docker:<name>`: one of Docker's built-in drivers as a manifest describes it — its `-o` options,
 * IPAM and how it spans hosts (swarm for overlay; per host with a slice of one subnet each for
 * macvlan and ipvlan on the lab's underlay).
 */
export function dockerBuiltinDriver(loaded: LoadedManifest): Driver {
  const m = loaded.manifest;
  const d = m.docker!;
  const net = m.network ?? {};
  const builtin = d.driver === 'host' || d.driver === 'none' ? d.driver : undefined;
  const networking = builtin ? { builtinNetwork: builtin } : dockerNetworkingOf(m, d.driver);
  const swarm = networking.global === true;
  return dockerDriver({
    id: manifestDriverId(m),
    implementation: `docker:${d.driver}${d.driver === 'overlay' ? (swarm ? '/swarm' : '/kv') : ''}`,
    description: m.description ?? `Docker's ${d.driver} driver (manifest ${loaded.path})`,
    profile: m.profile,
    networking,
    unsupportedReason: (lab) => {
      if ((swarm || net.spansHosts === 'per-host') && (lab.kind !== 'netns' || lab.hostCount < 2))
        return 'spans hosts: needs the netns lab with at least 2 hosts';
      if (net.options?.parent && lab.kind !== 'netns')
        return (
          `parent=${net.options.parent} is a lab host's underlay interface: needs the netns lab (the machine's own ` +
          `interfaces are never used)`
        );
      return undefined;
    },
    ...(swarm
      ? { setup: formSwarm, engines: 'swarm' as const }
      : d.driver === 'overlay'
        ? { setup: joinClusterStore, engines: 'restart' as const }
        : {}),
  });
}
