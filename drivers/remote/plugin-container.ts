import type Dockerode from 'dockerode';
import { writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type { LabHost } from '../../lab/host.ts';
import { boundingCapabilities, DOCKER_KNOWN_CAPABILITIES } from '../../lab/linux/capabilities.ts';
import { LABEL_RUN, runNames } from '../../lab/run-id.ts';
import { awaitPlugin, type PluginProcess, type PluginWait } from './plugin-ready.ts';

/** Where a containerised plugin's image comes from: an archive the user provides, or a build context. */
export interface PluginImage {
  /** The name:tag the archive or the build gives it. */
  image: string;
  /** A `docker save` archive, loaded into each lab engine (no registry). */
  archive?: string;
  /** A directory with a Dockerfile, built on each lab engine. */
  build?: string;
}

export type ContainerLaunch = Omit<PluginWait, 'started'> &
  PluginImage & {
    runId: string;
    /** Replaces the image's command. */
    command?: string[];
    privileged: boolean;
    /** `source:target[:options]` as the host's engine sees the source. */
    binds: string[];
    env?: string[];
  };

/** The binds a plugin container gets unless its manifest says otherwise: the host's plugin paths and engine. */
export function defaultPluginBinds(host: LabHost): string[] {
  return [
    '/run/docker/plugins:/run/docker/plugins',
    '/etc/docker/plugins:/etc/docker/plugins',
    '/usr/lib/docker/plugins:/usr/lib/docker/plugins',
    `${host.descriptor.socketPath}:/var/run/docker.sock`,
  ];
}

/** Waits for an engine's streamed answer (load, build) to end; an error message in it is an error. */
async function followed(docker: Dockerode, stream: NodeJS.ReadableStream): Promise<void> {
  const events = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (e: Error | null, out: unknown[]) => (e ? reject(e) : resolve(out as never))),
  );
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(failed.errorDetail?.message ?? failed.error);
}

/** Makes sure the host's engine has the image: loads the archive or builds the context once. */
export async function ensurePluginImage(host: LabHost, image: PluginImage): Promise<void> {
  const docker = host.docker;
  const hasImage = () =>
    docker
      .getImage(image.image)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  const present = await hasImage();
  if (present) return;
  if (image.archive) await followed(docker, await docker.loadImage(image.archive));
  else if (image.build)
    await followed(docker, await docker.buildImage({ context: image.build, src: ['.'] }, { t: image.image }));
  const loaded = await hasImage();
  if (!loaded) {
    const how = image.archive
      ? `loading ${image.archive}`
      : image.build
        ? `building ${image.build}`
        : 'nothing (give an archive or a build context)';
    throw new Error(
      `image ${image.image} is not on ${host.name} after ${how}: check the tag the archive carries ` +
        '(docker image ls after docker load)',
    );
  }
}

/**
 * `--privileged` as far as this machine allows. Docker's own asks for every capability and fails
 * where the machine's bounding set lacks one (CAP_SYS_RESOURCE on these VMs: "unable to apply caps");
 * instead the container gets every capability the harness holds, no seccomp or AppArmor profile,
 * and writable /proc/sys (no masked or read-only paths) — what a plugin needs of privileged.
 */
async function privileged(): Promise<Dockerode.HostConfig> {
  const { held, missing } = await boundingCapabilities();
  if (!missing.length) return { Privileged: true };
  return {
    CapAdd: held.filter((c) => DOCKER_KNOWN_CAPABILITIES.includes(c)),
    SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
    // the API's form of --security-opt systempaths=unconfined
    MaskedPaths: [],
    ReadonlyPaths: [],
  };
}

function dockerRunLine(l: ContainerLaunch): string {
  return [
    'docker run --network host',
    ...(l.privileged ? ['--privileged'] : []),
    ...l.binds.map((b) => `-v ${b}`),
    l.image,
    ...(l.command ?? []),
  ].join(' ');
}

/**
 * Runs a containerised plugin on a lab host's engine the way its documentation says (host network,
 * privileged, the plugin directory and the engine's socket bound in), labelled with the run, and
 * waits until it answers. Its output is copied to the log file whenever it matters.
 */
export async function startPluginContainer(launch: ContainerLaunch): Promise<PluginProcess> {
  const { host } = launch;
  await ensurePluginImage(host, launch);
  const name = runNames(launch.runId).docker(`plugin-${launch.name}`);
  const container = await host.docker.createContainer({
    name,
    Image: launch.image,
    ...(launch.command ? { Cmd: launch.command } : {}),
    ...(launch.env ? { Env: launch.env } : {}),
    Labels: { [LABEL_RUN]: launch.runId, 'cnm-harness.plugin': launch.name },
    HostConfig: { NetworkMode: 'host', Binds: launch.binds, ...(launch.privileged ? await privileged() : {}) },
  });
  await container.start();
  let exit: string | undefined;
  void container.wait().then(
    (r: { StatusCode: number }) => (exit = `exited with status ${r.StatusCode}`),
    () => undefined,
  );
  const flushLog = async () => {
    const raw = await container.logs({ stdout: true, stderr: true, follow: false }).catch(() => Buffer.from(''));
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (d: Buffer) => (text += d.toString()));
    const source = new PassThrough();
    host.docker.modem.demuxStream(source, sink, sink);
    source.end(raw);
    await new Promise((r) => setImmediate(r));
    await writeFile(launch.logFile, text);
  };
  const stop = async () => {
    await flushLog();
    await container.remove({ force: true }).catch(() => undefined);
  };
  return awaitPlugin(
    {
      ...launch,
      started: `container ${name} from ${launch.image} (${dockerRunLine(launch)})`,
    },
    { exited: () => exit, stop, flushLog },
  );
}
