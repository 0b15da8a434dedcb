import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { testTempDir } from '../testing/temp-dir.ts';
import { loadLabFile } from './lab-file.ts';

async function labFile(content: unknown): Promise<string> {
  const dir = await testTempDir('lab-file-', onTestFinished);
  await mkdir(join(dir, 'tls'));
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(dir, 'tls', f), 'PEM');
  const path = join(dir, 'hosts.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const tlsHost = {
  name: 'a',
  engine: 'tcp://10.0.0.5:2376',
  tls: { ca: 'tls/ca.pem', cert: 'tls/cert.pem', key: 'tls/key.pem' },
  address: '10.0.0.5',
};

it('resolves each transport, TLS paths relative to the file', async () => {
  const path = await labFile({
    hosts: [
      tlsHost,
      { name: 'b', engine: 'ssh://me@10.0.0.6:2222', address: '10.0.0.6' },
      { name: 'c', engine: 'unix:///run/d.sock', address: '10.0.0.7' },
    ],
  });
  const { engines } = await loadLabFile(path);
  expect(engines.map((e) => e.transport)).toEqual(['tls', 'ssh', 'unix']);
  expect(engines[0]!.tls!.ca).toBe(join(path, '..', 'tls', 'ca.pem'));
});

it('names the JSON path and what is wrong', async () => {
  const cases: [unknown, RegExp][] = [
    ['{ not json', /not JSON/],
    [{ hosts: [] }, /\/hosts: must NOT have fewer than 1 items/],
    [{ hosts: [{ name: 'a', address: '10.0.0.5' }] }, /\/hosts\/0: must have required property 'engine'/],
    [{ hosts: [{ ...tlsHost, engine: 'http://x' }] }, /\/hosts\/0\/engine: must match pattern/],
    [{ hosts: [{ ...tlsHost, tls: undefined }] }, /\/hosts\/0: tcp:\/\/10\.0\.0\.5:2376 needs "tls"/],
    [
      { hosts: [{ ...tlsHost, tls: { ...tlsHost.tls, ca: 'tls/missing.pem' } }] },
      /\/hosts\/0\/tls\/ca: cannot read .*missing\.pem \(ENOENT\)/,
    ],
    [{ hosts: [tlsHost, { ...tlsHost }] }, /\/hosts\/1\/name 'a' is also \/hosts\/0\/name/],
    [
      { hosts: [{ name: 'x', context: 'no-such-context', address: '10.0.0.5' }] },
      /\/hosts\/0\/context: no docker context 'no-such-context'/,
    ],
  ];
  for (const [content, message] of cases) await expect(loadLabFile(await labFile(content))).rejects.toThrow(message);
});

it("reads a docker context's endpoint and TLS files where the Docker CLI keeps them", async () => {
  const config = await testTempDir('docker-config-', onTestFinished);
  const id = createHash('sha256').update('prod-c').digest('hex');
  await mkdir(join(config, 'contexts', 'meta', id), { recursive: true });
  await writeFile(
    join(config, 'contexts', 'meta', id, 'meta.json'),
    JSON.stringify({ Name: 'prod-c', Endpoints: { docker: { Host: 'tcp://10.0.0.7:2376' } } }),
  );
  const tls = join(config, 'contexts', 'tls', id, 'docker');
  await mkdir(tls, { recursive: true });
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(tls, f), 'PEM');
  const saved = process.env.DOCKER_CONFIG;
  process.env.DOCKER_CONFIG = config;
  try {
    const { engines } = await loadLabFile(
      await labFile({ hosts: [{ name: 'c', context: 'prod-c', address: '10.0.0.7' }] }),
    );
    expect(engines[0]).toEqual({
      transport: 'tls',
      endpoint: 'tcp://10.0.0.7:2376',
      tls: { ca: join(tls, 'ca.pem'), cert: join(tls, 'cert.pem'), key: join(tls, 'key.pem') },
      context: 'prod-c',
    });
  } finally {
    if (saved === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved;
  }
});
