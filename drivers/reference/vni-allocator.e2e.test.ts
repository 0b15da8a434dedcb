import { afterEach, describe, expect, inject, it } from 'vitest';
import { EtcdClient } from '../../lab/kv/etcd-client.ts';
import { parseVniRange, VniAllocator, VniExhaustedError } from './vni-allocator.ts';

// against the lab's real etcd, under a prefix of this test's own
const lab = inject('lab');
const kv = new EtcdClient(lab.kv!.socketPath);
const prefix = `${lab.kv!.prefix}test-vni-${process.pid}/`;

afterEach(async () => {
  await kv.deletePrefix(prefix);
});

describe('VniAllocator on a real etcd', () => {
  it('gives 20 concurrent allocators 20 distinct VNIs, lowest first', async () => {
    // separate allocator objects, as separate hosts would have: only etcd's compare-and-swap arbitrates
    const vnis = await Promise.all(
      Array.from({ length: 20 }, (_, i) => new VniAllocator(kv, prefix).allocate([256, 1000], `net-${i}`)),
    );
    expect(new Set(vnis).size).toBe(20);
    expect([...vnis].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 256 + i));
    expect(await new VniAllocator(kv, prefix).inUse()).toHaveLength(20);
  });

  it('fails cleanly when the range is exhausted, and reuses a released VNI', async () => {
    const alloc = new VniAllocator(kv, prefix);
    expect(await alloc.allocate([300, 301], 'a')).toBe(300);
    expect(await alloc.allocate([300, 301], 'b')).toBe(301);
    await expect(alloc.allocate([300, 301], 'c')).rejects.toBeInstanceOf(VniExhaustedError);
    await expect(alloc.allocate([300, 301], 'c')).rejects.toThrow(/300–301 is exhausted \(2 in use\)/);
    expect(await alloc.inUse()).toEqual([300, 301]);
    await alloc.release(300, 'a');
    expect(await alloc.allocate([300, 301], 'c')).toBe(300);
    // a second release by the first owner (a network removed twice) leaves the VNI with its new one
    await alloc.release(300, 'a');
    expect(await alloc.inUse()).toEqual([300, 301]);
    expect((await kv.get(`${prefix}vni/300`))?.value).toBe('c');
  });

  it('records the owner, so a VNI can be traced to its network', async () => {
    const vni = await new VniAllocator(kv, prefix).allocate([256, 1000], 'net-x');
    expect((await kv.get(`${prefix}vni/${vni}`))?.value).toBe('net-x');
  });
});

describe('parseVniRange', () => {
  it('accepts LO-HI within 24 bits and explains what is wrong otherwise', () => {
    expect(parseVniRange('256-1000')).toEqual([256, 1000]);
    expect(() => parseVniRange('1000-256')).toThrow(/LO-HI/);
    expect(() => parseVniRange('0-5')).toThrow(/1 ≤ LO/);
    expect(() => parseVniRange('1-16777216')).toThrow(/16777215/);
  });
});
