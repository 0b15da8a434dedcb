import { createServer, type Server } from 'node:http';
import { afterEach, expect, it, onTestFinished } from 'vitest';
import type { LabHost } from '../../lab/host.ts';
import { testTempDir } from '../../lab/testing/temp-dir.ts';
import { awaitPlugin } from './plugin-ready.ts';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A plugin socket that answers Activate with what it implements. */
async function serve(path: string, implementsWhat: string): Promise<void> {
  const server = createServer((_, res) => res.end(JSON.stringify({ Implements: [implementsWhat] })));
  servers.push(server);
  await new Promise<void>((r) => server.listen(path, r));
}

// A plugin serving several sockets (the reference overlay and its IPAM) is reached at the first one
// its manifest names, whichever came up first: a loaded machine once had the IPAM socket answer
// first, and the protocol suite then spoke to the IPAM driver.
it('a plugin with several sockets is reached at the first one named, not the first that answered', async () => {
  const dir = await testTempDir('cnm-ready-', onTestFinished);
  const [driver, ipam] = [`${dir}/driver.sock`, `${dir}/ipam.sock`];
  await serve(ipam, 'IpamDriver');
  setTimeout(() => void serve(driver, 'NetworkDriver'), 300);
  const plugin = await awaitPlugin(
    {
      host: { name: 'h1' } as LabHost,
      name: 'p',
      started: 'test',
      sockets: [driver, ipam],
      logFile: `${dir}/log`,
      activate: true,
      readySeconds: 5,
    },
    { exited: () => undefined, stop: async () => undefined },
  );
  expect(plugin.address).toEqual({ socketPath: driver });
});
