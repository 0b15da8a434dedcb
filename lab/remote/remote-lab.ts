import type Dockerode from 'dockerode';
import { reapDockerObjects } from '../docker-reap.ts';
import type { HostDescriptor } from '../host.ts';
import { InputError } from '../input-error.ts';
import { ensureProbeImage, type ProbeImageArchive } from '../probe-image.ts';
import { CONNECT_TIMEOUT_MS, knownHostsFile, remoteDocker } from './engine-client.ts';
import { findEnginePid } from './engine-namespaces.ts';
import { startHelper } from './helper.ts';
import { loadLabFile, type LabFileHost, type RemoteEngine } from './lab-file.ts';

/** What to do about an engine that did not answer, from how it failed. */
function diagnose(engine: RemoteEngine, error: Error): string {
  const m = error.message;
  const url = new URL(engine.endpoint);
  if (/verification failed|Host denied/i.test(m))
    return (
      `its ssh host key is not in ${knownHostsFile(engine)}. Fix: check the host's key, then ` +
      `'ssh-keyscan -p ${url.port || 22} ${url.hostname} >> ${knownHostsFile(engine)}' (or "ssh": {"knownHosts"})`
    );
  if (/authentication methods failed|privateKey|no authentication/i.test(m))
    return `ssh refused the login. Fix: give "ssh": {"identity": "<private key>"} whose public key the host accepts`;
  if (/dial-stdio|docker: not found|command not found/i.test(m))
    return 'ssh logged in but `docker system dial-stdio` failed. Fix: install the docker CLI on the host';
  if (/certificate|self.signed|SSL|TLS|handshake|EPROTO|alert/i.test(m))
    return (
      `the TLS handshake failed (${m.replace(/\s+/g, ' ').trim()}). Fix: "tls" must name the CA that signed the ` +
      "engine's certificate, and a client certificate and key that CA signed (dockerd --tlsverify --tlscacert)"
    );
  if (/ECONNREFUSED/.test(m))
    return `nothing listens at ${engine.endpoint}. Fix: start dockerd there, or correct the address`;
  if (/ENOENT|EACCES/.test(m)) return `cannot open ${engine.endpoint} (${m}). Fix: correct the socket path`;
  if (/timed out|timeout|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/i.test(m))
    return `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (${m}). Fix: check the address and that the host is up`;
  return m;
}

function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Asks the engine for its version: the first real request over the transport. */
async function reach(host: LabFileHost, engine: RemoteEngine): Promise<{ docker: Dockerode; swarm: string }> {
  try {
    const docker = remoteDocker(engine);
    const info = await within(CONNECT_TIMEOUT_MS, docker.info() as Promise<{ Swarm?: { LocalNodeState?: string } }>);
    return { docker, swarm: info.Swarm?.LocalNodeState ?? 'inactive' };
  } catch (e) {
    const how = engine.context ? `docker context ${engine.context}, ${engine.endpoint}` : engine.endpoint;
    throw new InputError(
      `lab host ${host.name} (${how}, over ${engine.transport}) does not answer: ${diagnose(engine, e as Error)}`,
    );
  }
}

/**
 * The hosts of a lab file, reached: every engine answers (else exit 2 naming the host and the fix),
 * holds the probe image (imported over its API: no registry) and runs the run's helper container.
 */
export async function connectRemoteHosts(
  runId: string,
  labFile: string,
  archive: ProbeImageArchive,
  progress: (msg: string) => void,
): Promise<HostDescriptor[]> {
  const { file, engines } = await loadLabFile(labFile);
  progress(`lab ${runId}: ${file.hosts.length} remote host(s) from ${labFile}`);
  const reached = await Promise.all(file.hosts.map((h, i) => reach(h, engines[i]!)));
  const hosts: HostDescriptor[] = [];
  // every host's set-up settles before a failure is acted on: a helper still being made elsewhere
  // would otherwise escape the reap
  const settled = await Promise.allSettled(
    file.hosts.map(async (h, i) => {
      const { docker, swarm } = reached[i]!;
      const image = await ensureProbeImage(docker, archive);
      const helper = await startHelper(docker, runId, h.name, image);
      const enginePid = await findEnginePid(docker, helper);
      hosts[i] = {
        name: h.name,
        kind: 'remote',
        engine: engines[i]!,
        helper,
        enginePid,
        underlayAddress: h.address,
        swarm,
        pluginDir: '/run/docker/plugins',
      };
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(reached.map(({ docker }) => reapDockerObjects(docker, runId)));
    throw failed.reason;
  }
  return hosts;
}
