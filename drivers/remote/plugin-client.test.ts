import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PluginClient, resolvePluginAddress } from './plugin-client.ts';

let dir: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cnmh-client-test-'));
  // a plugin over TCP on loopback that hangs on one call and drops the connection on another
  server = createServer((req, res) => {
    if (req.url === '/NetworkDriver.Join') return;
    if (req.url === '/NetworkDriver.Leave') return void req.socket.destroy();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"Implements":["NetworkDriver"]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true, force: true });
});

it('finds a plugin as Docker does: socket path, .spec URL, .json Addr, unix:// and tcp:// on loopback', async () => {
  await writeFile(join(dir, 'p.spec'), `tcp://127.0.0.1:${port}\n`);
  await writeFile(join(dir, 'q.json'), JSON.stringify({ Name: 'q', Addr: 'unix:///run/docker/plugins/q.sock' }));
  expect(await resolvePluginAddress('/run/docker/plugins/x.sock')).toEqual({
    socketPath: '/run/docker/plugins/x.sock',
  });
  expect(await resolvePluginAddress(join(dir, 'p.spec'))).toEqual({ host: '127.0.0.1', port });
  expect(await resolvePluginAddress(join(dir, 'q.json'))).toEqual({ socketPath: '/run/docker/plugins/q.sock' });
  await expect(resolvePluginAddress('tcp://192.0.2.7:8080')).rejects.toThrow(/on this machine only/);
});

it('never throws: an answer, a hang and a dropped connection are all Exchanges', async () => {
  const client = new PluginClient({ host: '127.0.0.1', port }, 500);
  const ok = await client.call('Plugin.Activate');
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ Implements: ['NetworkDriver'] });
  const hung = await client.call('NetworkDriver.Join', {});
  expect(hung.failure).toBe('timeout');
  expect(hung.ms).toBeGreaterThanOrEqual(490);
  expect((await client.call('NetworkDriver.Leave', {})).failure).toBe('connection closed');
  expect((await new PluginClient({ socketPath: join(dir, 'none.sock') }).call('Plugin.Activate')).failure).toBe(
    'unreachable',
  );
});
