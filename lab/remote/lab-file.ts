import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../input-error.ts';
import { assertValid } from '../schema.ts';

/** One host of a lab file, as written (fixtures/schemas/lab-file.schema.json). */
export interface LabFileHost {
  name: string;
  engine?: string;
  context?: string;
  tls?: { ca: string; cert: string; key: string };
  ssh?: { identity?: string; knownHosts?: string };
  address: string;
}

export interface LabFile {
  hosts: LabFileHost[];
}

/** How the harness reaches a remote engine: plain data, handed to test workers. */
export interface RemoteEngine {
  transport: 'ssh' | 'tls' | 'unix';
  /** The engine's address as the user wrote it (or the context resolved to). */
  endpoint: string;
  /** Absolute paths. */
  tls?: { ca: string; cert: string; key: string };
  ssh?: { identity?: string; knownHosts?: string };
  /** The docker context it came from. */
  context?: string;
}

/** A docker context's metadata and TLS material, where the Docker CLI keeps them. */
async function fromContext(name: string, where: string): Promise<Pick<RemoteEngine, 'endpoint' | 'tls'>> {
  const config = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  const id = createHash('sha256').update(name).digest('hex');
  const metaPath = join(config, 'contexts', 'meta', id, 'meta.json');
  const meta = await readFile(metaPath, 'utf8').then(
    (t) => JSON.parse(t) as { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } },
    () => {
      throw new InputError(
        `${where}: no docker context '${name}' (looked for ${metaPath}). Fix: 'docker context ls' lists the ` +
          `contexts; or give the engine's address as "engine".`,
      );
    },
  );
  const endpoint = meta.Endpoints?.docker?.Host;
  if (!endpoint) throw new InputError(`${where}: docker context '${name}' has no docker endpoint (${metaPath})`);
  const tlsDir = join(config, 'contexts', 'tls', id, 'docker');
  const files = { ca: join(tlsDir, 'ca.pem'), cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') };
  const hasTls = await readFile(files.ca).then(
    () => true,
    () => false,
  );
  return { endpoint, ...(hasTls ? { tls: files } : {}) };
}

async function readable(path: string, where: string, fix: string): Promise<void> {
  await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new InputError(`${where}: cannot read ${path} (${e.code ?? e.message}). Fix: ${fix}`);
  });
}

/** Resolves one host's entry to how it is reached; files are checked here, the engine is not yet asked. */
export async function resolveEngine(host: LabFileHost, index: number, baseDir: string): Promise<RemoteEngine> {
  const where = `/hosts/${index}`;
  const abs = (p: string) => resolve(baseDir, p);
  const fromCtx = host.context ? await fromContext(host.context, `${where}/context`) : undefined;
  const endpoint = fromCtx?.endpoint ?? host.engine!;
  const tlsGiven = host.tls ? { ca: abs(host.tls.ca), cert: abs(host.tls.cert), key: abs(host.tls.key) } : undefined;
  const tls = tlsGiven ?? fromCtx?.tls;
  const transport = endpoint.startsWith('ssh://') ? 'ssh' : endpoint.startsWith('unix://') ? 'unix' : 'tls';
  if (transport === 'tls') {
    if (!/^tcp:\/\/[^/]+:\d+\/?$/.test(endpoint))
      throw new InputError(`${where}/engine: '${endpoint}' is not tcp://HOST:PORT (for example tcp://10.0.0.5:2376)`);
    if (!tls)
      throw new InputError(
        `${where}: ${endpoint} needs "tls": {"ca", "cert", "key"}. The harness does not talk to an engine over plain ` +
          `TCP (anyone on the network could drive it); start dockerd with --tlsverify and give the client files.`,
      );
    for (const [k, p] of Object.entries(tls))
      await readable(p, `${where}/tls/${k}`, 'give the path of a PEM file (relative paths are from the lab file)');
  }
  const ssh =
    transport === 'ssh' && host.ssh
      ? {
          ...(host.ssh.identity ? { identity: abs(host.ssh.identity) } : {}),
          ...(host.ssh.knownHosts ? { knownHosts: abs(host.ssh.knownHosts) } : {}),
        }
      : undefined;
  if (ssh?.identity) await readable(ssh.identity, `${where}/ssh/identity`, 'give the path of a private key file');
  if (ssh?.knownHosts) await readable(ssh.knownHosts, `${where}/ssh/knownHosts`, 'give a known_hosts file');
  return {
    transport,
    endpoint,
    ...(transport === 'tls' ? { tls } : {}),
    ...(ssh ? { ssh } : {}),
    ...(host.context ? { context: host.context } : {}),
  };
}

/** Reads and checks a lab file: its JSON, its schema (errors name the JSON path), unique names. */
export async function loadLabFile(path: string): Promise<{ file: LabFile; engines: RemoteEngine[] }> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new InputError(`--lab-file ${path}: cannot read it (${e.code ?? e.message})`);
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`--lab-file ${path}: not JSON: ${(e as Error).message}`);
  }
  const file = assertValid<LabFile>('lab-file.schema.json', data, `lab file ${path}`);
  const seen = new Map<string, number>();
  file.hosts.forEach((h, i) => {
    const before = seen.get(h.name);
    if (before !== undefined)
      throw new InputError(`lab file ${path}: /hosts/${i}/name '${h.name}' is also /hosts/${before}/name`);
    seen.set(h.name, i);
  });
  const engines = await Promise.all(file.hosts.map((h, i) => resolveEngine(h, i, dirname(resolve(path)))));
  return { file, engines };
}
