import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { run } from './linux/command.ts';
import { listeningScript } from './listening.ts';

it('returns once a TCP listener is there, and names what never came', async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  try {
    const listening = await run(['sh', '-c', listeningScript({ tcp: [port] }, 'test server')]);
    expect(listening.exitCode).toBe(0);
    // nothing listens on UDP there: the loop gives up and says so
    const t0 = Date.now();
    const missing = await run(['sh', '-c', listeningScript({ tcp: [port], udp: [port] }, 'test server', 2)]);
    expect(missing.exitCode).toBe(1);
    expect(missing.output).toContain('test server not listening after 2 s');
    // what does listen is named, and the wait was bounded by the clock
    expect(missing.output).toContain(`:${port} `);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
  } finally {
    server.close();
  }
}, 20_000);

it('waits for a listener that comes late', async () => {
  const port = 47_990;
  const waiting = run(['sh', '-c', listeningScript({ udp: [port] }, 'late server')]);
  const late = spawn('socat', [`UDP-RECVFROM:${port},bind=127.0.0.1`, '-'], { stdio: 'ignore' });
  try {
    expect((await waiting).exitCode).toBe(0);
  } finally {
    late.kill();
  }
}, 20_000);
