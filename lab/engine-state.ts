/**
 * State a Docker engine makes once for its own lifetime rather than per network or container, and
 * keeps by design: neither a lifecycle check's footprint nor the run's leak audit counts it as left
 * behind. Items are the lines those two compare: a link's, a rule's or a mount point's text.
 */
export const ENGINE_STATE: { kind: 'link' | 'iptables' | 'mount' | 'kv2' | 'network'; pattern: RegExp; why: string }[] =
  [
    {
      kind: 'mount',
      pattern: /^\/(var\/)?run\/docker\/netns\/default$/,
      why: 'the host namespace, bind-mounted the first time a host-mode container starts',
    },
    {
      // the bridge itself only: a container's veth left on it is a leak (the ingress sandbox's veth is
      // told apart by its peer, in the footprint)
      kind: 'link',
      pattern: /^docker_gwbridge( |$)/,
      why: 'docker_gwbridge: made when the first overlay container lands on a host',
    },
    { kind: 'iptables', pattern: /docker_gwbridge/, why: "docker_gwbridge's NAT and isolation rules" },
    {
      // the Docker network behind that bridge, seen by a remote host's audit (it outlives the swarm)
      kind: 'network',
      pattern: /^docker_gwbridge [0-9a-f]{12}$/,
      why: 'the docker_gwbridge network: made with the bridge, kept by the engine',
    },
    {
      kind: 'kv2',
      pattern: /^\/docker\/(network\/v1\.0\/(idm\/[^/]+|ipam\/[^/]+\/config\/[^/]+)|nodes\/[^/]+)$/,
      why:
        "the classic overlay's ID allocator bitmaps, IPAM address-space configuration and node registrations: " +
        'written the first time an engine uses the store, kept for its lifetime',
    },
    {
      kind: 'iptables',
      pattern: /^(iptables-save: )?filter: -A FORWARD -j DOCKER-USER$/,
      why: 'the DOCKER-USER jump, re-inserted at the top of FORWARD whenever a network is created',
    },
  ];

export function isEngineState(kind: string, item: string): boolean {
  return ENGINE_STATE.some((e) => e.kind === kind && e.pattern.test(item));
}

/**
 * Docker's overlay makes a network's VXLAN device (`vx-<network>-<random>`) in the host namespace
 * and moves it into the network's own, and it passes back through on removal, which swarm does
 * late: a footprint line of one that vanished says nothing of whoever else was being checked.
 */
export function passingEngineDevice(line: string): boolean {
  return /^link vx-[0-9a-f]{6}-[0-9a-z]+ vxlan$/.test(line);
}
