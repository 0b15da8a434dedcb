import { request, type ClientRequest } from 'node:http';

/** How often a watch whose stream ended (etcd went away) tries to open it again. */
const WATCH_RETRY_MS = 500;

/**
 * A small client for etcd's v3 JSON gateway (`/v3/kv/*`, `/v3/watch`) over a unix socket. The lab's
 * etcd lives in a namespace of the underlay; a unix socket is how the harness, in the machine's root
 * namespace, reaches it without giving the lab a link out. (The gRPC client libraries dial TCP.)
 */
export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  key: string;
  value: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();

/** The key just past every key that starts with `prefix`: etcd's range end for a prefix. */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      bytes[i]! += 1;
      return bytes.subarray(0, i + 1).toString('latin1');
    }
  }
  return '\0';
}

interface RawKv {
  key: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
}

function toKv(k: RawKv): KeyValue {
  return {
    key: unb64(k.key),
    value: unb64(k.value),
    createRevision: Number(k.create_revision ?? 0),
    modRevision: Number(k.mod_revision ?? 0),
  };
}

export class EtcdClient {
  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private call<T>(path: string, body?: object): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          path,
          method: body === undefined ? 'GET' : 'POST',
          timeout: this.timeoutMs,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`etcd ${path}: HTTP ${res.statusCode}: ${text}`));
            try {
              resolve(JSON.parse(text) as T);
            } catch {
              reject(new Error(`etcd ${path}: not JSON: ${text.slice(0, 200)}`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`etcd ${path}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /**
   * Every key written through etcd's v2 API (its own keyspace, invisible to v3 reads): Docker 20.10's
   * classic overlay keeps its state there. Only keys: v2 keeps a directory after its last key is
   * deleted, and an empty directory holds nothing.
   */
  async listV2(): Promise<string[]> {
    interface Node {
      key?: string;
      dir?: boolean;
      nodes?: Node[];
    }
    const r = await this.call<{ node?: Node }>('/v2/keys/?recursive=true');
    const keys: string[] = [];
    const walk = (n: Node) => {
      if (n.key && !n.dir) keys.push(n.key);
      for (const c of n.nodes ?? []) walk(c);
    };
    if (r.node) walk(r.node);
    return keys.sort();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const r = await this.call<{ kvs?: RawKv[] }>('/v3/kv/range', { key: b64(key) });
    return r.kvs?.[0] ? toKv(r.kvs[0]) : undefined;
  }

  async list(prefix: string): Promise<KeyValue[]> {
    const r = await this.call<{ kvs?: RawKv[] }>('/v3/kv/range', {
      key: b64(prefix),
      range_end: Buffer.from(prefixEnd(prefix), 'latin1').toString('base64'),
    });
    return (r.kvs ?? []).map(toKv);
  }

  async put(key: string, value: string): Promise<void> {
    await this.call('/v3/kv/put', { key: b64(key), value: b64(value) });
  }

  /** Creates the key only if it does not exist (compare-and-swap on create_revision = 0). */
  async createIfAbsent(key: string, value: string): Promise<boolean> {
    const r = await this.call<{ succeeded?: boolean }>('/v3/kv/txn', {
      compare: [{ key: b64(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [{ request_put: { key: b64(key), value: b64(value) } }],
    });
    return r.succeeded === true;
  }

  /**
   * Writes only if `key` is still as it was read (`modRevision`, 0: absent): `put` a new value, or
   * delete it along with the `keys` and every key under the `prefixes` — all in one transaction.
   */
  async replaceIfUnchanged(
    key: string,
    modRevision: number,
    change: { put: string } | { delete: true; keys?: string[]; prefixes?: string[] },
  ): Promise<boolean> {
    const range = (prefix: string) => ({
      key: b64(prefix),
      range_end: Buffer.from(prefixEnd(prefix), 'latin1').toString('base64'),
    });
    const success =
      'put' in change
        ? [{ request_put: { key: b64(key), value: b64(change.put) } }]
        : [
            { request_delete_range: { key: b64(key) } },
            ...(change.keys ?? []).map((k) => ({ request_delete_range: { key: b64(k) } })),
            ...(change.prefixes ?? []).map((p) => ({ request_delete_range: range(p) })),
          ];
    const compare = [{ key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }];
    const r = await this.call<{ succeeded?: boolean }>('/v3/kv/txn', { compare, success });
    return r.succeeded === true;
  }

  /** Deletes the key only if it still holds `value` (its owner): never one that has passed to another. */
  async deleteIfValue(key: string, value: string): Promise<boolean> {
    const r = await this.call<{ succeeded?: boolean }>('/v3/kv/txn', {
      compare: [{ key: b64(key), target: 'VALUE', result: 'EQUAL', value: b64(value) }],
      success: [{ request_delete_range: { key: b64(key) } }],
    });
    return r.succeeded === true;
  }

  async delete(key: string): Promise<void> {
    await this.call('/v3/kv/deleterange', { key: b64(key) });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.call('/v3/kv/deleterange', {
      key: b64(prefix),
      range_end: Buffer.from(prefixEnd(prefix), 'latin1').toString('base64'),
    });
  }

  /**
   * Streams changes under `prefix` until disposed. Survives etcd going away: the stream is opened
   * again (every half second while etcd is down) from the revision after the last event seen, so
   * nothing that changed during an outage is missed. Resolves once the first stream is open.
   */
  async watch(prefix: string, onEvent: (e: WatchEvent) => void): Promise<AsyncDisposable> {
    let closed = false;
    let current: ClientRequest | undefined;
    let nextRevision: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const open = (first?: { resolve: () => void; reject: (e: Error) => void }) => {
      let created = false;
      let ended = false;
      // the first stream failing before it is open fails the call; any later end opens a new one
      const end = (e?: Error) => {
        if (ended || closed) return;
        ended = true;
        if (first && !created) first.reject(e ?? new Error(`etcd watch on ${prefix} ended before it was open`));
        else timer = setTimeout(() => open(), WATCH_RETRY_MS);
      };
      const req = request(
        {
          socketPath: this.socketPath,
          path: '/v3/watch',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let buffer = '';
          res.on('data', (d: Buffer) => {
            buffer += d.toString();
            let nl: number;
            // the gateway sends one JSON object per line
            while ((nl = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, nl).trim();
              buffer = buffer.slice(nl + 1);
              if (!line) continue;
              const msg = JSON.parse(line) as {
                result?: { created?: boolean; events?: { type?: string; kv: RawKv }[] };
              };
              if (msg.result?.created && !created) {
                created = true;
                first?.resolve();
              }
              for (const ev of msg.result?.events ?? []) {
                const kv = toKv(ev.kv);
                nextRevision = Math.max(nextRevision ?? 0, kv.modRevision + 1);
                onEvent({ type: ev.type === 'DELETE' ? 'delete' : 'put', key: kv.key, value: kv.value });
              }
            }
          });
          res.on('error', () => undefined);
          res.on('close', () => end());
        },
      );
      current = req;
      req.on('error', (e) => end(e));
      req.end(
        JSON.stringify({
          create_request: {
            key: b64(prefix),
            range_end: Buffer.from(prefixEnd(prefix), 'latin1').toString('base64'),
            ...(nextRevision ? { start_revision: String(nextRevision) } : {}),
          },
        }),
      );
    };
    await new Promise<void>((resolve, reject) => open({ resolve, reject }));
    return {
      [Symbol.asyncDispose]: async () => {
        closed = true;
        clearTimeout(timer);
        current?.destroy();
      },
    };
  }
}
