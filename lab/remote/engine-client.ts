import Dockerode from 'dockerode';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { hostVerifier } from './known-hosts.ts';
import type { RemoteEngine } from './lab-file.ts';

// docker-modem hands Node an ssh request's URL in a form Node deprecates (DEP0170) yet parses as
// meant: that one warning would otherwise be printed on every ssh run
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
  const code = rest.find((r) => r === 'DEP0170' || (r as { code?: string } | undefined)?.code === 'DEP0170');
  if (code === undefined) emitWarning(warning, ...(rest as []));
};

/** How long connecting to a remote engine may take before it counts as not answering. */
export const CONNECT_TIMEOUT_MS = 10_000;

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f));
const DEFAULT_KNOWN_HOSTS = join(homedir(), '.ssh', 'known_hosts');

/** The known_hosts file an ssh engine is checked against (the lab file's, else the user's). */
export function knownHostsFile(engine: RemoteEngine): string {
  return engine.ssh?.knownHosts ?? DEFAULT_KNOWN_HOSTS;
}

function sshOptions(engine: RemoteEngine, host: string, port: number): Record<string, unknown> {
  const identity = engine.ssh?.identity ?? DEFAULT_IDENTITIES.find((f) => existsSync(f));
  const knownHosts = knownHostsFile(engine);
  return {
    readyTimeout: CONNECT_TIMEOUT_MS,
    ...(identity ? { privateKey: readFileSync(identity) } : {}),
    ...(process.env.SSH_AUTH_SOCK ? { agent: process.env.SSH_AUTH_SOCK } : {}),
    // as the docker CLI's ssh does: a host whose key is not known is not trusted
    hostVerifier: existsSync(knownHosts) ? hostVerifier(knownHosts, host, port) : () => false,
  };
}

/**
 * A Docker client for a remote engine through dockerode's own transports: `ssh://` (ssh2, running
 * `docker system dial-stdio` on the host, as the docker CLI does), `tcp://` with TLS, `unix://`.
 */
export function remoteDocker(engine: RemoteEngine): Dockerode {
  const url = new URL(engine.endpoint);
  if (engine.transport === 'unix') return new Dockerode({ socketPath: url.pathname });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (engine.transport === 'tls') {
    const tls = engine.tls!;
    return new Dockerode({
      protocol: 'https',
      host,
      port: Number(url.port),
      ca: readFileSync(tls.ca),
      cert: readFileSync(tls.cert),
      key: readFileSync(tls.key),
    });
  }
  const port = Number(url.port || 22);
  return new Dockerode({
    protocol: 'ssh',
    host,
    port,
    username: decodeURIComponent(url.username) || 'root',
    sshOptions: sshOptions(engine, host, port),
  });
}
