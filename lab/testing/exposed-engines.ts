import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { HostDescriptor } from '../host.ts';
import { mustRun, netnsPath } from '../linux/command.ts';
import { restartEngine } from '../netns-host.ts';
import { waitUntil } from '../wait.ts';

/**
 * A netns lab's engines made to look remote, for tests on a machine with no other hosts: one
 * dockerd serving tcp:// with TLS itself (--tlsverify, a CA and certificates made per test), one
 * reached over ssh:// (an sshd in the host's namespace, a per-test key, DOCKER_HOST set for
 * `docker system dial-stdio`). Each is reached from this namespace through a plain TCP forward on
 * loopback into the host's namespace, so TLS and SSH run end to end between dockerode and the host.
 */

export const TLS_PORT = 2376;
const SSH_PORT = 22;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A loopback port whose connections go to `address:port` in a namespace. */
async function forwardInto(netns: string, address: string, port: number, children: ChildProcess[]): Promise<number> {
  const local = await freePort();
  const child = spawn(
    'socat',
    [
      `TCP-LISTEN:${local},bind=127.0.0.1,reuseaddr,fork`,
      `EXEC:nsenter --net=${netnsPath(netns)} socat STDIO TCP\\:${address}\\:${port}`,
    ],
    { stdio: 'ignore' },
  );
  children.push(child);
  await waitUntil(
    () =>
      mustRun(['sh', '-c', `ss -ltn | grep -q '127.0.0.1:${local} '`]).then(
        () => true,
        () => false,
      ),
    (up) => up,
    { what: `forward on 127.0.0.1:${local}`, timeoutMs: 5_000, intervalMs: 50 },
  );
  return local;
}

export interface TlsMaterial {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A CA, a server certificate for `address` and a client certificate, with openssl (EC keys: quick). */
export async function makeTlsMaterial(dir: string, address: string, caName = 'cnmh-test-ca'): Promise<TlsMaterial> {
  await mkdir(dir, { recursive: true });
  const f = (n: string) => `${dir}/${n}`;
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await mustRun([
    'openssl',
    'req',
    '-x509',
    ...key,
    '-keyout',
    f('ca-key.pem'),
    '-out',
    f('ca.pem'),
    '-days',
    '1',
    '-subj',
    `/CN=${caName}`,
  ]);
  const sign = async (name: string, ext: string) => {
    await mustRun([
      'openssl',
      'req',
      ...key,
      '-keyout',
      f(`${name}-key.pem`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    ]);
    await writeFile(f(`${name}.ext`), ext);
    await mustRun([
      'openssl',
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca-key.pem'),
      '-CAcreateserial',
      '-out',
      f(`${name}.pem`),
      '-days',
      '1',
      '-extfile',
      f(`${name}.ext`),
    ]);
  };
  await sign('server', `subjectAltName=IP:${address},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  await sign('client', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server-key.pem'),
    clientCert: f('client.pem'),
    clientKey: f('client-key.pem'),
  };
}

/** Makes the host's own dockerd serve tcp://ADDRESS:2376 with --tlsverify; returns the loopback port reaching it. */
export async function exposeOverTls(host: HostDescriptor, tls: TlsMaterial, children: ChildProcess[]): Promise<number> {
  await restartEngine(host, {
    addArgs: [
      `--host=tcp://${host.underlayAddress}:${TLS_PORT}`,
      '--tlsverify',
      `--tlscacert=${tls.ca}`,
      `--tlscert=${tls.serverCert}`,
      `--tlskey=${tls.serverKey}`,
    ],
  });
  return forwardInto(host.netns!, host.underlayAddress!, TLS_PORT, children);
}

export interface SshAccess {
  port: number;
  identity: string;
  knownHosts: string;
}

/** An sshd in the host's namespace whose sessions reach its engine; returns the loopback port and the client files. */
export async function exposeOverSsh(host: HostDescriptor, dir: string, children: ChildProcess[]): Promise<SshAccess> {
  await mkdir(dir, { recursive: true });
  await mkdir('/run/sshd', { recursive: true });
  const f = (n: string) => `${dir}/${n}`;
  await rm(f('host_key'), { force: true });
  await rm(f('id_ed25519'), { force: true });
  await mustRun(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', f('host_key')]);
  await mustRun(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', f('id_ed25519')]);
  await writeFile(f('authorized_keys'), await readFile(f('id_ed25519.pub')));
  await writeFile(
    f('sshd_config'),
    [
      `ListenAddress ${host.underlayAddress}:${SSH_PORT}`,
      `HostKey ${f('host_key')}`,
      `AuthorizedKeysFile ${f('authorized_keys')}`,
      `PidFile ${f('sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      // what `docker system dial-stdio` reaches: this host's engine, as on a real host its only one
      `SetEnv DOCKER_HOST=unix://${host.socketPath}`,
      '',
    ].join('\n'),
  );
  const sshd = spawn(
    'nsenter',
    [`--net=${netnsPath(host.netns!)}`, '/usr/sbin/sshd', '-D', '-e', '-f', f('sshd_config')],
    {
      stdio: 'ignore',
    },
  );
  children.push(sshd);
  const port = await forwardInto(host.netns!, host.underlayAddress!, SSH_PORT, children);
  const hostKey = (await readFile(f('host_key.pub'), 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  await writeFile(f('known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  return { port, identity: f('id_ed25519'), knownHosts: f('known_hosts') };
}

/** Stops the forwards and sshd; the engine keeps its TLS listener until the lab goes down. */
export function stopChildren(children: ChildProcess[]): void {
  for (const c of children) c.kill('SIGTERM');
}
