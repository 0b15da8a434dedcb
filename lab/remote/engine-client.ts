import Dockerode from 'dockerode';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { hostVerifier } from './known-hosts.ts';
import type { RemoteEngine } from './lab-file.ts';
import { SshDialAgent, type SshTarget } from './ssh-dial-agent.ts';

/** How long connecting to a remote engine may take before it counts as not answering. */
export const CONNECT_TIMEOUT_MS = 10_000;

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f));
const DEFAULT_KNOWN_HOSTS = join(homedir(), '.ssh', 'known_hosts');

/** The known_hosts file an ssh engine is checked against (the lab file's, else the user's). */
export function knownHostsFile(engine: RemoteEngine): string {
  return engine.ssh?.knownHosts ?? DEFAULT_KNOWN_HOSTS;
}

function sshOptions(engine: RemoteEngine, host: string, port: number): SshTarget['config'] {
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
 * A Docker client for a remote engine: `ssh://` (ssh2, running `docker system dial-stdio` on the host
 * as the docker CLI does, over kept connections: ssh-dial-agent.ts), `tcp://` with TLS, `unix://`.
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
  const username = decodeURIComponent(url.username) || 'root';
  // plain HTTP over `docker system dial-stdio` channels of kept SSH connections (ssh-dial-agent.ts)
  const agent = new SshDialAgent({ host, port, config: { username, ...sshOptions(engine, host, port) } });
  // docker-modem takes an agent of its own (its types do not say so)
  return new Dockerode(Object.assign({ protocol: 'http' as const, host, port }, { agent }));
}
