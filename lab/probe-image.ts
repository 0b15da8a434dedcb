import type Dockerode from 'dockerode';
import { createHash } from 'node:crypto';
import { access, chmod, copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mustRun } from './linux/command.ts';
import { probeServerBinary } from './probe-server/build.ts';
import { PROBE_SERVER_LOG } from './probe-servers.ts';
import { probeServerArgv } from './probes.ts';
import { sharedLibraries } from './rootfs.ts';
import { LABEL_PROBE } from './run-id.ts';

/**
 * The probe image: FROM scratch, holding busybox (sh, ping, nslookup), socat (TCP/UDP servers that
 * answer with the peer address they saw), iproute2's `ip` (for `ip -j`) and iperf3, each with the
 * libraries ldd lists. No registry is reachable, so it is assembled from this machine's binaries.
 */
const CACHE_DIR = '/var/cache/cnm-harness';
export const PROBE_REPO = 'cnm-harness/probe';
/**
 * name → where it goes in the image. iputils' ping sits in /usr/bin, ahead of busybox's applet in PATH: it can set DF.
 */
const BINARIES: Record<string, string> = {
  busybox: '/bin/busybox',
  socat: '/bin/socat',
  ip: '/bin/ip',
  iperf3: '/bin/iperf3',
  ping: '/usr/bin/ping',
  // built from lab/probe-server/probe-server.c (static)
  'probe-server': '/bin/probe-server',
};
const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * The image's command: the probe server, answering with the address each request came from. The
 * container outlives it: a container-mode sandbox shares a stack whose ports its peer's server holds.
 */
const SERVE_SCRIPT = `#!/bin/sh
${probeServerArgv('/bin/probe-server').join(' ')} 2>>${PROBE_SERVER_LOG} &
exec sleep 2147483647
`;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function which(binary: string): Promise<string> {
  for (const dir of SEARCH_PATH) if (await exists(`${dir}/${binary}`)) return `${dir}/${binary}`;
  throw new Error(
    `${binary} not found; the probe image needs it. Fix: run 'npm run setup' (installs busybox-static, socat, ` +
      `iproute2, iperf3, iputils-ping).`,
  );
}

interface ProbeFiles {
  binaries: Map<string, string>;
  libraries: string[];
}

async function collect(): Promise<ProbeFiles> {
  const binaries = new Map<string, string>();
  const libraries = new Set<string>();
  for (const b of Object.keys(BINARIES)) {
    const path = b === 'probe-server' ? await probeServerBinary() : await which(b);
    binaries.set(b, path);
    for (const lib of await sharedLibraries(path)) libraries.add(lib);
  }
  return { binaries, libraries: [...libraries].sort() };
}

async function contentHash(files: ProbeFiles): Promise<string> {
  const h = createHash('sha256').update(SERVE_SCRIPT);
  for (const path of [...files.binaries.values(), ...files.libraries]) h.update(path).update(await readFile(path));
  return h.digest('hex').slice(0, 12);
}

async function assemble(root: string, files: ProbeFiles): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await mkdir(`${root}/bin`, { recursive: true });
  await mkdir(`${root}/tmp`, { recursive: true });
  await chmod(`${root}/tmp`, 0o1777);
  await mkdir(`${root}/etc`, { recursive: true });
  await writeFile(`${root}/etc/nsswitch.conf`, 'hosts: files dns\n');
  await mkdir(`${root}/usr/bin`, { recursive: true });
  for (const [name, path] of files.binaries) await copyFile(path, `${root}${BINARIES[name]}`);
  const { output } = await mustRun([files.binaries.get('busybox')!, '--list']);
  for (const applet of output
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(await exists(`${root}/bin/${applet}`))) await symlink('busybox', `${root}/bin/${applet}`);
  }
  for (const lib of files.libraries) {
    await mkdir(`${root}${dirname(lib)}`, { recursive: true });
    await copyFile(lib, `${root}${lib}`);
  }
  await mkdir(`${root}/probe`, { recursive: true });
  await writeFile(`${root}/probe/serve`, SERVE_SCRIPT, { mode: 0o755 });
}

export interface ProbeImageArchive {
  tag: string;
  tarPath: string;
}

/** Builds (once per content hash) the rootfs tarball of the probe image. */
export async function buildProbeArchive(): Promise<ProbeImageArchive> {
  const files = await collect();
  const tag = await contentHash(files);
  const tarPath = `${CACHE_DIR}/probe-${tag}.tar`;
  if (!(await exists(tarPath))) {
    const root = `${CACHE_DIR}/probe-${tag}.d`;
    await assemble(root, files);
    await mustRun(['tar', '-C', root, '-cf', `${tarPath}.partial`, '.']);
    await mustRun(['mv', `${tarPath}.partial`, tarPath]);
    await rm(root, { recursive: true, force: true });
  }
  return { tag, tarPath };
}

export function probeImageRef(archive: ProbeImageArchive): string {
  return `${PROBE_REPO}:${archive.tag}`;
}

/** Imports the probe image into an engine unless it is there already; returns its reference. */
export async function ensureProbeImage(docker: Dockerode, archive: ProbeImageArchive): Promise<string> {
  const ref = probeImageRef(archive);
  const present = await docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return ref;
  const options: object = {
    repo: PROBE_REPO,
    tag: archive.tag,
    changes: ['CMD ["/probe/serve"]', `LABEL ${LABEL_PROBE}=${archive.tag}`],
  };
  const stream = await docker.importImage(archive.tarPath, options);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())),
  );
  await docker.getImage(ref).inspect();
  return ref;
}
