import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PluginClient } from '../../remote/plugin-client.ts';
import { MAX_BODY_BYTES, PluginError, PluginServer } from './server.ts';

// The server's own logic, with a service that only records what reached it.
let dir: string;
let server: PluginServer;
let client: PluginClient;
const seen: Record<string, unknown>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cnmh-plugin-test-'));
  server = new PluginServer({
    implements: ['NetworkDriver'],
    handlers: {
      'NetworkDriver.GetCapabilities': async () => ({ Scope: 'local' }),
      'NetworkDriver.CreateNetwork': async (req) => {
        seen.push(req);
        if (req.NetworkID === 'refuse') throw new PluginError('refused on purpose');
        return {};
      },
      // a handler bug: an invalid reply must not leave the server
      'NetworkDriver.Join': async () => ({ InterfaceName: { SrcName: '' } }),
    },
  });
  await server.listen(join(dir, 'p.sock'));
  client = new PluginClient({ socketPath: join(dir, 'p.sock') });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

it('matches field names case-insensitively, as Go does, before the handler sees them', async () => {
  const e = await client.call('NetworkDriver.CreateNetwork', { networkid: 'n1', ipv4data: [{ pool: '10.0.0.0/24' }] });
  expect(e.status).toBe(200);
  expect(seen.at(-1)).toEqual({ NetworkID: 'n1', IPv4Data: [{ Pool: '10.0.0.0/24' }] });
});

it('refuses invalid requests with Err naming the JSON path, before any handler runs', async () => {
  const count = seen.length;
  const e = await client.call('NetworkDriver.CreateNetwork', { NetworkID: 5 });
  expect(e.status).toBe(400);
  expect((e.body as { Err: string }).Err).toMatch(/\/NetworkID: must be string/);
  const broken = await client.call('NetworkDriver.CreateNetwork', '{"NetworkID": ');
  expect((broken.body as { Err: string }).Err).toMatch(/not JSON/);
  expect(seen.length).toBe(count);
});

it('answers 404 for what it does not implement, and Err for a handler refusal', async () => {
  expect((await client.call('NetworkDriver.Leave', { NetworkID: 'a', EndpointID: 'b' })).status).toBe(404);
  const e = await client.call('NetworkDriver.CreateNetwork', { NetworkID: 'refuse' });
  expect(e.status).toBe(400);
  expect(e.body).toEqual({ Err: 'refused on purpose' });
});

it('never sends a reply that breaks the schema: a handler bug becomes a 500 with Err', async () => {
  const e = await client.call('NetworkDriver.Join', { NetworkID: 'a', EndpointID: 'b', SandboxKey: '/x' });
  expect(e.status).toBe(500);
  expect((e.body as { Err: string }).Err).toMatch(/InterfaceName/);
});

it('reads an oversized body to its end and refuses it with 413, so the client sees the answer', async () => {
  const e = await client.call(
    'NetworkDriver.CreateNetwork',
    JSON.stringify({ NetworkID: 'x'.repeat(MAX_BODY_BYTES + 10) }),
  );
  expect(e.failure).toBeUndefined();
  expect(e.status).toBe(413);
  expect((await client.call('NetworkDriver.GetCapabilities')).status).toBe(200);
});
