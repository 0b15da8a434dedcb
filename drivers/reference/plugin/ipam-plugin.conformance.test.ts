import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { StartedLab } from '../../../lab/lab.ts';
import { mustRun } from '../../../lab/linux/command.ts';
import { PluginClient } from '../../remote/plugin-client.ts';
import { startLabPlugins, type LabPlugins } from './lab-plugins.ts';
import { PLUGIN_NAMES } from './serve.ts';

// cnm-ref-ipam on two hosts, sharing the lab's etcd: what one host hands out the other never does.
const lab = StartedLab.attach(inject('lab'));
let plugins: LabPlugins;
let clients: PluginClient[];

beforeAll(async () => {
  plugins = await startLabPlugins(lab);
  clients = plugins.hosts.map((h) => new PluginClient({ socketPath: h.sockets[PLUGIN_NAMES.ipam]! }));
});
afterAll(async () => {
  await plugins?.stop();
});

const body = (e: { body?: unknown }) => e.body as Record<string, string>;

it(
  'hands out distinct addresses across hosts under concurrency, one shared gateway, and frees a pool with its last ' +
    'holder',
  async () => {
    const pool = '10.206.7.0/24';
    const pools = await Promise.all(
      clients.map((c) =>
        c.call('IpamDriver.RequestPool', {
          AddressSpace: 'CnmRefLocal',
          Pool: pool,
          SubPool: '',
          Options: {},
          V6: false,
        }),
      ),
    );
    expect(pools.map((p) => p.status)).toEqual([200, 200]);
    const poolId = body(pools[0]!).PoolID!;
    expect(body(pools[1]!).PoolID).toBe(poolId);

    const gateways = await Promise.all(
      clients.map((c) =>
        c.call('IpamDriver.RequestAddress', {
          PoolID: poolId,
          Address: '',
          Options: { RequestAddressType: 'com.docker.network.gateway' },
        }),
      ),
    );
    expect(gateways.map((g) => body(g).Address)).toEqual(['10.206.7.1/24', '10.206.7.1/24']);

    // 15 requests from each host at once
    const requests = clients.flatMap((c) =>
      Array.from({ length: 15 }, () =>
        c.call('IpamDriver.RequestAddress', { PoolID: poolId, Address: '', Options: {} }),
      ),
    );
    const addresses = (await Promise.all(requests)).map((r) => body(r).Address!);
    expect(new Set(addresses).size).toBe(30);
    expect(addresses).not.toContain('10.206.7.1/24');

    // an address one host holds is refused to the other, with the protocol's IPAM error field
    const taken = await clients[1]!.call('IpamDriver.RequestAddress', {
      PoolID: poolId,
      Address: addresses[0]!.split('/')[0],
      Options: {},
    });
    expect(taken.status).not.toBe(200);
    expect(body(taken).Error).toMatch(/in use/);

    const kv = lab.kv()!;
    const keys = async () => (await kv.list(`${lab.descriptor.kv!.prefix}ipam/`)).length;
    await clients[0]!.call('IpamDriver.ReleasePool', { PoolID: poolId });
    expect(await keys()).toBeGreaterThan(30);
    await clients[1]!.call('IpamDriver.ReleasePool', { PoolID: poolId });
    expect(await keys()).toBe(0);
  },
);

it(
  'refuses what it cannot do with an Error answer: IPv6, sub-pools, a pool that is not a network ' + 'address',
  async () => {
    const c = clients[0]!;
    for (const req of [
      { AddressSpace: 'CnmRefLocal', Pool: '', SubPool: '', Options: {}, V6: true },
      { AddressSpace: 'CnmRefLocal', Pool: '10.206.8.0/24', SubPool: '10.206.8.0/25', Options: {}, V6: false },
      { AddressSpace: 'CnmRefLocal', Pool: '10.206.8.5/24', SubPool: '', Options: {}, V6: false },
    ]) {
      const e = await c.call('IpamDriver.RequestPool', req);
      expect(e.status).toBe(400);
      expect(body(e).Error).toBeTruthy();
    }
  },
);

it(
  'does not hand out a dynamic pool that overlaps a route where the engine runs (Docker would refuse it and ask ' +
    'again)',
  async () => {
    const host = lab.hosts[0]!;
    const route = ['ip', 'route', 'add', 'blackhole', '10.210.0.0/20'];
    await mustRun(route, { netns: host.netns });
    try {
      const e = await clients[0]!.call('IpamDriver.RequestPool', {
        AddressSpace: 'CnmRefLocal',
        Pool: '',
        SubPool: '',
        Options: {},
        V6: false,
      });
      expect(e.status).toBe(200);
      const third = Number(body(e).Pool!.split('.')[2]);
      expect(third).toBeGreaterThanOrEqual(16);
      await clients[0]!.call('IpamDriver.ReleasePool', { PoolID: body(e).PoolID });
    } finally {
      await mustRun(['ip', 'route', 'del', 'blackhole', '10.210.0.0/20'], { netns: host.netns });
    }
  },
);
