import { describe, expect, it } from 'vitest';
import { allDrivers } from '../../drivers/registry.ts';
import { driverConflict, getsHostsOfItsOwn } from './driver-conflicts.ts';
import { runDriversSideBySide } from './driver-pool.ts';
import { startOrder } from './engine.ts';
import { claimsFor, LabClaims, resourcesOf } from './lab-claims.ts';

const byId = (id: string) => allDrivers().find((d) => d.id === id)!;
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('driverConflict (the registry as it is)', () => {
  it('the classic KV overlay restarts the engines: no engine user beside it, the reference drivers may', () => {
    expect(driverConflict(byId('docker-overlay-kv'), byId('docker-bridge'))).toMatch(/restarts the lab's engines/);
    expect(driverConflict(byId('ref-bridge@docker'), byId('docker-overlay-kv'))).toMatch(/restarts/);
    expect(driverConflict(byId('docker-overlay-kv'), byId('ref-bridge'))).toBeUndefined();
  });
  it('overlapping VNI ranges conflict; swarm (4096 up) beside the reference overlay does not', () => {
    expect(driverConflict(byId('ref-overlay'), byId('docker-overlay-kv'))).toMatch(/overlapping ranges/);
    // one allocator in etcd serves both reference overlays: never one VNI twice
    expect(driverConflict(byId('ref-overlay'), byId('ref-overlay@docker'))).toBeUndefined();
    expect(driverConflict(byId('ref-overlay'), byId('docker-overlay'))).toBeUndefined();
    expect(driverConflict(byId('docker-bridge'), byId('ref-bridge'))).toBeUndefined();
  });
  it("on the netns lab the classic KV overlay has hosts of its own: no conflict with the lab's drivers", () => {
    const netns = { kind: 'netns' as const };
    const kv = byId('docker-overlay-kv');
    expect(getsHostsOfItsOwn(kv, netns)).toBe(true);
    expect(getsHostsOfItsOwn(kv, { kind: 'local' })).toBe(false);
    expect(getsHostsOfItsOwn(byId('docker-overlay'), netns)).toBe(false);
    for (const other of allDrivers().filter((d) => d !== kv)) expect(driverConflict(kv, other, netns)).toBeUndefined();
    // two drivers that restart engines still conflict: one store, and each restarts the engines it is given
    expect(driverConflict(kv, kv, netns)).toMatch(/restarts/);
  });
});

describe("a driver's claims and the order its checks start in", () => {
  it("Docker's swarm overlay claims no part of the etcd; the overlays that keep state there do", () => {
    expect(resourcesOf(byId('docker-overlay'))).toEqual(['host-state', 'vxlan']);
    expect(resourcesOf(byId('ref-overlay'))).toContain('kv');
    expect(resourcesOf(byId('ref-overlay@docker'))).toContain('kv');
  });
  it('beside other drivers, checks that need part of the lab to themselves start first, the rest in order', () => {
    const checks = [{}, { exclusive: ['host-state'] }, {}, { exclusive: ['kv'] }, { readsWhole: ['kv'] }] as never[];
    expect(startOrder(checks, true)).toEqual([1, 3, 0, 2, 4]);
    expect(startOrder(checks, false)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('LabClaims', () => {
  it('shared claims run together; an exclusive one waits for them and holds off later ones', async () => {
    const claims = new LabClaims();
    const order: string[] = [];
    const bridge = byId('ref-bridge');
    const a = await claims.acquire(claimsFor(bridge));
    const b = await claims.acquire(claimsFor(bridge));
    const exclusive = claims.acquire(claimsFor(bridge, ['host-state'])).then((r) => (order.push('exclusive'), r));
    const later = claims.acquire(claimsFor(bridge)).then((r) => (order.push('later'), r));
    await tick();
    expect(order).toEqual([]);
    a();
    await tick();
    expect(order).toEqual([]);
    b();
    await tick();
    expect(order).toEqual(['exclusive']);
    (await exclusive)();
    await tick();
    expect(order).toEqual(['exclusive', 'later']);
    (await later)();
  });
  it('an exclusive claim on VXLAN does not wait for a bridge driver, which never touches it', async () => {
    const claims = new LabClaims();
    const bridgeCheck = await claims.acquire(claimsFor(byId('ref-bridge')));
    const vniCheck = await Promise.race([
      claims.acquire(claimsFor(byId('ref-overlay'), ['vxlan'])),
      tick().then(() => undefined),
    ]);
    expect(vniCheck).toBeTypeOf('function');
    // but an overlay's ordinary check does wait for it
    let granted = false;
    const overlayCheck = claims.acquire(claimsFor(byId('docker-overlay'))).then((r) => ((granted = true), r));
    await tick();
    expect(granted).toBe(false);
    vniCheck!();
    (await overlayCheck)();
    bridgeCheck();
  });
  it("claims on a driver's own hosts are apart from the lab's, the classic overlay's etcd part too", async () => {
    const claims = new LabClaims();
    const kv = byId('docker-overlay-kv');
    const own = 'cnmh-x-h3,cnmh-x-h4';
    const granted = async (c: Promise<() => void>) => Promise.race([c, tick().then(() => undefined)]);
    const overlayCheck = await claims.acquire(claimsFor(byId('ref-overlay')));
    // its VXLAN devices and its keys (libnetwork's) beside the lab's overlay at work
    const vniOnOwnHosts = await granted(claims.acquire(claimsFor(kv, ['vxlan'], own)));
    expect(vniOnOwnHosts).toBeTypeOf('function');
    vniOnOwnHosts!();
    const ownKeysWhole = await granted(claims.acquire(claimsFor(kv, ['kv'], own)));
    expect(ownKeysWhole).toBeTypeOf('function');
    ownKeysWhole!();
    // and a plugin's etcd-whole check beside the classic overlay's work; but not beside the lab's overlay
    const kvCheck = await claims.acquire(claimsFor(kv, [], own));
    let pluginGranted = false;
    const pluginKeysWhole = claims
      .acquire(claimsFor(byId('ref-overlay@docker'), ['kv']))
      .then((r) => ((pluginGranted = true), r));
    await tick();
    expect(pluginGranted).toBe(false);
    overlayCheck();
    (await pluginKeysWhole)();
    kvCheck();
  });
  it('host-mode checks never overlap (their probe servers listen on the host), whatever the driver', async () => {
    const claims = new LabClaims();
    const dockerHost = await claims.acquire(claimsFor(byId('docker-host')));
    let granted = false;
    const refHost = claims.acquire(claimsFor(byId('ref-host'))).then((r) => ((granted = true), r));
    await tick();
    expect(granted).toBe(false);
    dockerHost();
    (await refHost)();
  });
  it('a waiting claim gives up when its signal aborts, and lets the next one through', async () => {
    const claims = new LabClaims();
    const held = await claims.acquire(claimsFor(byId('ref-bridge'), ['host-state']));
    const controller = new AbortController();
    const waiting = claims.acquire(claimsFor(byId('ref-bridge')), controller.signal);
    controller.abort(new Error('Ctrl-C'));
    await expect(waiting).rejects.toThrow('Ctrl-C');
    held();
    (await claims.acquire(claimsFor(byId('ref-bridge'))))();
  });
});

describe('runDriversSideBySide', () => {
  it('never more than the limit, never two that conflict, every driver once', async () => {
    const drivers = allDrivers();
    const running = new Set<string>();
    let most = 0;
    const seen: string[] = [];
    await runDriversSideBySide(drivers, 4, new AbortController().signal, async (d) => {
      for (const other of running) expect(driverConflict(byId(other), d)).toBeUndefined();
      running.add(d.id);
      most = Math.max(most, running.size);
      seen.push(d.id);
      await tick();
      running.delete(d.id);
    });
    expect(most).toBe(4);
    expect([...seen].sort()).toEqual(drivers.map((d) => d.id).sort());
    // the driver that conflicts with the most goes first
    expect(seen[0]).toBe('docker-overlay-kv');
  });
  it('one at a time, in the registry order', async () => {
    const seen: string[] = [];
    await runDriversSideBySide(allDrivers(), 1, new AbortController().signal, async (d) => {
      seen.push(d.id);
      await tick();
    });
    expect(seen).toEqual(allDrivers().map((d) => d.id));
  });
  it('once the signal aborts, no driver starts', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    await runDriversSideBySide(allDrivers(), 1, controller.signal, async (d) => {
      seen.push(d.id);
      controller.abort();
    });
    expect(seen).toHaveLength(1);
  });
});
