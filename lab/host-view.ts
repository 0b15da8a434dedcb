import type { HostDescriptor } from './host.ts';
import { DATA_DIR, STATE_DIR } from './run-id.ts';

/** Where Docker looks for legacy plugins: sockets in the first, spec (`.spec`, `.json`) files in all three. */
export const PLUGIN_PATHS = {
  sockets: '/run/docker/plugins',
  etcSpecs: '/etc/docker/plugins',
  libSpecs: '/usr/lib/docker/plugins',
} as const;

/** A host's three plugin directories as the machine sees them (where the host view binds them from). */
export function hostPluginDirs(dataDir: string): { sockets: string; etcSpecs: string; libSpecs: string } {
  return {
    sockets: `${dataDir}/plugins`,
    etcSpecs: `${dataDir}/plugin-specs/etc`,
    libSpecs: `${dataDir}/plugin-specs/lib`,
  };
}

/** The machine's own directories a plugin's private view writes over, each with an overlay of its own. */
const PRIVATE_TREES = ['/etc', '/var/lib', '/usr/lib', '/run'] as const;

/**
 * What must stay the machine's own under a private tree: named network namespaces (a plugin's
 * `ip netns add` must be seen by the harness and the engine), the harness's state and data (the
 * lab's sockets live there) and the iptables lock (the harness and a plugin share a netns's tables).
 */
const PASS_THROUGH = ['/run/netns', STATE_DIR, DATA_DIR.replace(/\/runs$/, ''), '/run/xtables.lock'];

/**
 * Shell lines that turn a fresh mount namespace (`unshare --mount --propagation unchanged`) into
 * the lab host's view of the machine: Docker's three plugin directories are the host's own, and —
 * for a plugin's view — /etc, /var/lib, /usr/lib and /run are copy-on-write overlays whose writes
 * land in `dataDir/view/<who>`, so a plugin keeps state in /var/lib/NAME or /run/NAME privately per
 * host and nothing it writes there reaches the machine. /run/docker.sock is the host's engine.
 *
 * Only the mounts that are changed are made private (not recursively), so the machine's shared
 * /run/netns keeps propagating both ways.
 */
export function hostViewScript(d: HostDescriptor, who: 'engine' | `plugin-${string}`): string {
  const dataDir = d.dataDir;
  if (!dataDir) throw new Error(`host ${d.name} has no data directory: a view needs one`);
  const dirs = hostPluginDirs(dataDir);
  const view = `${dataDir}/view/${who}`;
  const privateTrees = who === 'engine' ? ['/etc', '/usr/lib'] : PRIVATE_TREES;
  const passing = who === 'engine' ? [] : PASS_THROUGH;
  const lines = [
    'set -e',
    `V=${view}`,
    // the engine's view is made from a private copy of every mount; a plugin's keeps /run/netns shared
    ...[...new Set(['/', '/tmp', ...privateTrees])].map(
      (p) => `mount --make-private "$(findmnt -n -o TARGET -T ${p})"`,
    ),
    `mkdir -p ${Object.values(dirs).join(' ')}`,
    // what passes through is bound aside (outside every tree the overlays hide) and moved back on top
    ...(passing.length ? ['K=$(mktemp -d /tmp/cnmh-view.XXXXXX)'] : []),
  ];
  passing.forEach((p, i) => {
    lines.push(
      `if [ -d ${p} ]; then mkdir $K/${i}; elif [ -e ${p} ]; then touch $K/${i}; fi`,
      // recursively: the namespaces named before the view was made are mounts below /run/netns
      `if [ -e $K/${i} ]; then mount --rbind ${p} $K/${i}; fi`,
    );
  });
  // every upper directory is made before the first overlay, and the tree that holds them is overlaid
  // last: an upper directory reached through an overlay is refused
  const trees = [...privateTrees].sort((a, b) => Number(dataDir.startsWith(a)) - Number(dataDir.startsWith(b)));
  const id = (tree: string) => tree.slice(1).replace(/\//g, '-');
  lines.push(...trees.map((t) => `mkdir -p $V/${id(t)}/upper $V/${id(t)}/work`));
  for (const t of trees)
    lines.push(`mount -t overlay cnmh-view -o lowerdir=${t},upperdir=$V/${id(t)}/upper,workdir=$V/${id(t)}/work ${t}`);
  passing.forEach((p, i) => lines.push(`if [ -e $K/${i} ]; then mount --move $K/${i} ${p}; fi`));
  if (passing.length) lines.push('rm -rf $K');
  lines.push(
    `mkdir -p ${Object.values(PLUGIN_PATHS).join(' ')}`,
    `mount --bind ${dirs.sockets} ${PLUGIN_PATHS.sockets}`,
    `mount --bind ${dirs.etcSpecs} ${PLUGIN_PATHS.etcSpecs}`,
    `mount --bind ${dirs.libSpecs} ${PLUGIN_PATHS.libSpecs}`,
  );
  if (who !== 'engine') lines.push(`touch /run/docker.sock`, `mount --bind ${d.socketPath} /run/docker.sock`);
  return lines.join('\n');
}
