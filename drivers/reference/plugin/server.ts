import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalize, problemsOf, schemaFor, type Call } from '../../remote/protocol.ts';

/** The body a handler gets: already matched case-insensitively to the schema and validated. */
export type Handler = (request: Record<string, unknown>) => Promise<object>;

export interface PluginService {
  /** What Plugin.Activate lists: NetworkDriver, IpamDriver. */
  implements: string[];
  handlers: Partial<Record<Call, Handler>>;
}

/** Requests larger than this are refused with an error, unread. */
export const MAX_BODY_BYTES = 1 << 20;
const MEDIA_TYPE = 'application/vnd.docker.plugins.v1+json';

/** A request the plugin refuses: answered with HTTP `status` and the protocol's error body. */
export class PluginError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Per-call timings the server keeps: the plugin's own view of its latency. */
export type CallLog = (call: string, ms: number, ok: boolean) => void;

/**
 * A libnetwork remote plugin over HTTP on a unix socket. Every request is matched to its JSON
 * Schema and validated before a handler sees it; every reply is validated before it leaves (a
 * handler's bug becomes an error answer, never a malformed one). Handlers run one at a time: Docker
 * calls concurrently, and a network's calls must not interleave.
 */
export class PluginServer {
  private readonly server: Server;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly service: PluginService,
    private readonly log: CallLog = () => undefined,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(socketPath: string): Promise<void> {
    await rm(socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => resolve());
    });
  }

  /** Serves on a TCP address instead (plugins found by a `tcp://` spec file); returns the port. */
  async listenTcp(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private errorField(call: string): 'Err' | 'Error' {
    return call.startsWith('IpamDriver.') ? 'Error' : 'Err';
  }

  private send(res: ServerResponse, status: number, body: object): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': MEDIA_TYPE, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  /**
   * The body, up to MAX_BODY_BYTES. A larger one is read to its end and dropped before the refusal
   * goes out: answering while the client is still writing makes it see a reset, not the answer.
   */
  private async readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      // past 16 times the limit it is an attack, not a mistake: stop reading
      else if (size > 16 * MAX_BODY_BYTES) req.destroy();
    }
    if (size > MAX_BODY_BYTES)
      throw new PluginError(`request body of ${size} bytes exceeds the limit of ${MAX_BODY_BYTES}`, 413);
    return Buffer.concat(chunks).toString('utf8');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const call = (req.url ?? '').replace(/^\//, '').split('?')[0]!;
    const field = this.errorField(call);
    let ok = false;
    try {
      if (req.method !== 'POST') throw new PluginError(`${req.method} ${req.url}: the plugin protocol uses POST`, 405);
      const body = await this.readBody(req);
      const handler =
        call === 'Plugin.Activate'
          ? async () => ({ Implements: this.service.implements })
          : this.service.handlers[call as Call];
      // 404 is the protocol's "not implemented" (Docker treats it as success for some calls)
      if (!handler) throw new PluginError(`${call} is not implemented by this plugin`, 404);
      const request = parseRequest(call as Call, body);
      const pending = this.queue.catch(() => undefined).then(() => handler(request));
      this.queue = pending;
      const reply: object = await pending;
      const problems = schemaFor(call as Call, 'response') ? problemsOf(call as Call, 'response', reply) : [];
      if (problems.length)
        throw new PluginError(`internal error: the reply to ${call} is not valid: ${problems.join('; ')}`, 500);
      this.send(res, 200, reply);
      ok = true;
    } catch (e) {
      const status = e instanceof PluginError ? e.status : 500;
      this.send(res, status, { [field]: (e as Error).message || String(e) });
    } finally {
      this.log(call, performance.now() - started, ok);
    }
  }
}

/** The request body as JSON, matched to the call's schema; a PluginError saying what is wrong otherwise. */
export function parseRequest(call: Call, body: string): Record<string, unknown> {
  const schema = schemaFor(call, 'request');
  if (!schema) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new PluginError(`${call}: the request body is not JSON (${(e as Error).message})`);
  }
  const request = canonicalize(parsed, schema);
  const problems = problemsOf(call, 'request', request);
  if (problems.length) throw new PluginError(`${call}: invalid request: ${problems.join('; ')}`);
  return request as Record<string, unknown>;
}
