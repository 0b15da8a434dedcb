import { describe, expect, it } from 'vitest';
import type { Driver } from '../../drivers/contract.ts';
import { allDrivers } from '../../drivers/registry.ts';
import { kvFootprint, type KvView } from './footprint.ts';

const byId = (id: string) => allDrivers().find((d) => d.id === id)!;

// an etcd that holds a plugin's v3 key, a plugin's v2 key and a key of libnetwork's own store
const etcd = {
  list: () => Promise.resolve([{ key: '/cnmh-abc123/overlay/vni/256' }]),
  listV2: () => Promise.resolve(['/calico/v1/host/h1', '/docker/network/v1.0/endpoint/n1/e1']),
};
const view = (driver?: Driver) =>
  ({
    lab: { kv: () => etcd, descriptor: { kv: { prefix: '/cnmh-abc123/' } } },
    ...(driver ? { driver: { driver } } : {}),
  }) as unknown as KvView;

describe("kvFootprint: a driver's part of the lab's etcd", () => {
  it("a plugin's footprint has its keys, v3 and v2, and never libnetwork's store", async () => {
    expect(await kvFootprint(view(byId('ref-overlay@docker')))).toEqual([
      'kv /cnmh-abc123/overlay/vni/256',
      'kv2 /calico/v1/host/h1',
    ]);
  });

  it("the classic overlay's is libnetwork's store alone; the harness's own before and after is all of it", async () => {
    expect(await kvFootprint(view(byId('docker-overlay-kv')))).toEqual(['kv2 /docker/network/v1.0/endpoint/n1/e1']);
    expect(await kvFootprint(view())).toHaveLength(3);
  });

  it("Docker's swarm overlay and bridge cannot write there: none of it is theirs", async () => {
    for (const id of ['docker-overlay', 'docker-bridge']) expect(await kvFootprint(view(byId(id)))).toEqual([]);
    expect(await kvFootprint(view(byId('ref-overlay')))).toContain('kv /cnmh-abc123/overlay/vni/256');
  });
});
