import http from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';

/** sshd's MaxSessions is 10 by default: one connection carries at most this many channels at once. */
const CHANNELS_PER_CONNECTION = 8;

/** A kept channel nobody uses is closed after this long (the engine's end of it is a process). */
const IDLE_CHANNEL_MS = 15_000;

/** One SSH connection, its channels, and how many of those are in use (not idle in the agent's pool). */
interface Connection {
  client: Client;
  socket: Socket;
  ready: Promise<void>;
  open: number;
  inUse: number;
}

export interface SshTarget {
  host: string;
  port: number;
  /** ssh2's own settings: user, key, agent, host verifier, ready timeout. */
  config: Omit<ConnectConfig, 'host' | 'port' | 'sock'>;
}

/**
 * An http.Agent for a Docker engine reached over SSH the way the docker CLI reaches one: every HTTP
 * connection is a `docker system dial-stdio` channel. docker-modem's own ssh transport opens a new
 * SSH connection — a handshake, a login, an sshd process, a docker CLI process — for every API
 * request (about 180 ms each on this machine). Here a channel is an HTTP keep-alive connection, kept
 * for the next request, and SSH connections are shared: up to CHANNELS_PER_CONNECTION channels each,
 * another connection beyond that. Idle channels and connections do not hold the process open.
 */
export class SshDialAgent extends http.Agent {
  private readonly connections = new Set<Connection>();

  constructor(private readonly target: SshTarget) {
    super({ keepAlive: true });
  }

  // http.Agent asks for a socket here; returning nothing means the callback gives it
  override createConnection(_options: unknown, callback: (err: Error | null, stream?: Duplex) => void): undefined {
    this.channel().then(
      (stream) => callback(null, stream),
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
    );
    return undefined;
  }

  /** Closes every connection (the process may also just exit: idle ones do not hold it). */
  override destroy(): void {
    for (const c of this.connections) c.client.end();
    this.connections.clear();
    super.destroy();
  }

  private async channel(): Promise<ClientChannel> {
    const c = [...this.connections].find((x) => x.open < CHANNELS_PER_CONNECTION) ?? this.connect();
    c.open++;
    this.use(c, +1);
    let stream: ClientChannel;
    try {
      await c.ready;
      stream = await new Promise<ClientChannel>((resolve, reject) =>
        c.client.exec('docker system dial-stdio', (err, s) => (err ? reject(err) : resolve(s))),
      );
    } catch (e) {
      c.open--;
      this.use(c, -1);
      throw e;
    }
    let stderr = '';
    stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // a host without the docker CLI, or whose engine is down, ends the channel with a status: say so
    stream.once('exit', (code: number | null) => {
      if (!code) return;
      stream.emit('error', new Error(`docker system dial-stdio exited ${code}: ${stderr.trim()}`));
      stream.destroy();
    });
    // what http's agent calls on a kept socket: ref when a request takes it, unref when it goes idle
    let inUse = true;
    let idle: NodeJS.Timeout | undefined;
    const setInUse = (now: boolean) => {
      clearTimeout(idle);
      if (now !== inUse) this.use(c, now ? +1 : -1);
      inUse = now;
    };
    const socketLike = stream as ClientChannel & Partial<Pick<Socket, 'ref' | 'unref' | 'setKeepAlive' | 'setNoDelay'>>;
    socketLike.ref = () => {
      setInUse(true);
      return socketLike as unknown as Socket;
    };
    socketLike.unref = () => {
      setInUse(false);
      idle = setTimeout(() => stream.destroy(), IDLE_CHANNEL_MS).unref();
      return socketLike as unknown as Socket;
    };
    socketLike.setKeepAlive = () => socketLike as unknown as Socket;
    socketLike.setNoDelay = () => socketLike as unknown as Socket;
    (socketLike as unknown as { setTimeout: () => unknown }).setTimeout = () => socketLike;
    stream.once('close', () => {
      c.open--;
      setInUse(false);
    });
    return stream;
  }

  /** Counts a connection's channels in use; its socket keeps the process alive only while there is one. */
  private use(c: Connection, delta: number) {
    c.inUse += delta;
    if (c.inUse > 0) c.socket.ref();
    else c.socket.unref();
  }

  private connect(): Connection {
    const socket = connect(this.target.port, this.target.host);
    socket.setNoDelay(true);
    const client = new Client();
    const c: Connection = {
      client,
      socket,
      open: 0,
      inUse: 0,
      ready: new Promise<void>((resolve, reject) => {
        client.once('ready', resolve);
        client.once('error', reject);
      }),
    };
    // a failed or closed connection is never handed out again; its channels see the error themselves
    const forget = () => this.connections.delete(c);
    client.on('error', forget);
    client.on('close', forget);
    c.ready.catch(() => undefined);
    client.connect({ ...this.target.config, host: this.target.host, port: this.target.port, sock: socket });
    this.connections.add(c);
    return c;
  }
}
