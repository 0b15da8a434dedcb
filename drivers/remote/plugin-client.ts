import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { PLUGIN_MEDIA_TYPE, type Call } from './protocol.ts';

/** Where a plugin answers: a unix socket, or a TCP address on this machine. */
export type PluginAddress = { socketPath: string } | { host: string; port: number };

/** One request and what came back: the raw material of a protocol check's evidence. */
export interface Exchange {
  call: string;
  /** The body sent, cut to 300 characters for the evidence. */
  sent: string;
  status?: number;
  contentType?: string;
  /** The reply parsed as JSON; undefined when it was not JSON (see `text`). */
  body?: unknown;
  text: string;
  ms: number;
  /** Why there is no reply: the plugin hung, dropped the connection or was not there. */
  failure?: 'timeout' | 'connection closed' | 'unreachable';
  detail?: string;
}

/**
 * Resolves a plugin as Docker does: a `.sock` path, a spec file (`.spec`: one URL) or a `.json`
 * file (`Addr`), or a URL (`unix://…`, `tcp://127.0.0.1:port`). TCP must stay on this machine.
 */
export async function resolvePluginAddress(where: string): Promise<PluginAddress> {
  let url = where;
  if (where.endsWith('.spec')) url = (await readFile(where, 'utf8')).trim();
  else if (where.endsWith('.json'))
    url = String((JSON.parse(await readFile(where, 'utf8')) as { Addr?: string }).Addr ?? '');
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  if (url.startsWith('tcp://') || url.startsWith('http://')) {
    const u = new URL(url.replace(/^tcp:/, 'http:'));
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
      throw new Error(
        `plugin address ${url}: the harness talks to plugins on this machine only (127.0.0.1, ::1 or a unix socket)`,
      );
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
  }
  if (url.startsWith('/')) return { socketPath: url };
  throw new Error(
    `plugin address ${where}: expected a socket path, a .spec or .json file, unix://PATH or tcp://127.0.0.1:PORT`,
  );
}

/** A client that speaks the remote protocol to one plugin and never throws: every outcome is an Exchange. */
export class PluginClient {
  constructor(
    readonly address: PluginAddress,
    readonly timeoutMs = 5_000,
  ) {}

  describe(): string {
    return 'socketPath' in this.address
      ? `unix://${this.address.socketPath}`
      : `tcp://${this.address.host}:${this.address.port}`;
  }

  /** POSTs `body` (an object is sent as JSON, a string as it is) to `/<call>`. */
  call(call: Call | (string & {}), body: object | string = {}, timeoutMs = this.timeoutMs): Promise<Exchange> {
    const sent = typeof body === 'string' ? body : JSON.stringify(body);
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const done = (e: Omit<Exchange, 'call' | 'sent' | 'ms'>) => {
        if (settled) return;
        settled = true;
        resolve({
          call,
          sent: sent.length > 300 ? `${sent.slice(0, 300)}… (${sent.length} bytes)` : sent,
          ms: performance.now() - started,
          ...e,
        });
      };
      const req = request(
        {
          ...this.address,
          path: `/${call}`,
          method: 'POST',
          agent: false,
          headers: {
            Accept: PLUGIN_MEDIA_TYPE,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(sent),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('error', (e) => done({ text: '', failure: 'connection closed', detail: e.message }));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            done({
              status: res.statusCode,
              contentType: res.headers['content-type'],
              body: parsed,
              text: text.slice(0, 2000),
            });
          });
        },
      );
      const timer = setTimeout(() => {
        done({ text: '', failure: 'timeout', detail: `no answer within ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const unreachable = e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
        done({ text: '', failure: unreachable ? 'unreachable' : 'connection closed', detail: e.message });
      });
      req.end(sent);
    });
  }
}

/** How an exchange reads in evidence: `Call → 200 {…} (3 ms)`. */
export function describeExchange(e: Exchange): string {
  const what = e.failure
    ? `${e.failure}${e.detail ? ` (${e.detail})` : ''}`
    : `${e.status} ${e.contentType ?? '-'} ${e.text.slice(0, 300)}`;
  return `${e.call} ${e.sent.slice(0, 200)} → ${what} (${e.ms.toFixed(1)} ms)`;
}
