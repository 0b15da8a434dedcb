import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StartedLab } from '../../lab/lab.ts';
import { run } from '../../lab/linux/command.ts';
import crossHost from '../../suites/connectivity/cross-host.ts';
import sameHost from '../../suites/connectivity/same-host.ts';
import { runCheck } from '../../suites/framework/engine.ts';
import connectDisconnect from '../../suites/lifecycle/connect-disconnect.ts';
import type { StartedDriver } from '../contract.ts';
import { resolveDrivers } from '../registry.ts';

// Debian's CNI plugins through their real binaries: what the suites say about them is what they do.
const lab = StartedLab.attach(inject('lab'));
const conflist = (name: string) => `cni:${new URL(`../../fixtures/cni/${name}.conflist`, import.meta.url).pathname}`;

describe('CNI bridge (host-local IPAM, ipMasq)', () => {
  let driver: StartedDriver;
  beforeAll(async () => {
    driver = await resolveDrivers([conflist('bridge')])[0]!.start(lab);
  });
  afterAll(async () => {
    await driver.stop();
    // the bridge plugin keeps its bridges by design: the shared lab's later tests must not see them
    for (const host of lab.hosts) {
      const links = (await run(['ip', '-o', 'link', 'show', 'type', 'bridge'], { netns: host.netns })).output;
      for (const name of links.match(/(?<=: )cni[0-9a-f]{4}-\d+(?=:)/g) ?? [])
        await run(['ip', 'link', 'delete', name], { netns: host.netns });
    }
  });

  it('connects sandboxes on one host through ADD, and its address comes from the ADD result', async () => {
    const r = await runCheck(lab, driver, sameHost);
    expect(r.verdict, r.reason).toBe('pass');
  });

  it(
    'keeps its bridge after the last DEL (by design of the bridge plugin), and the lifecycle check says ' + 'so',
    async () => {
      const r = await runCheck(lab, driver, connectDisconnect);
      expect(r.verdict).toBe('fail');
      expect(r.reason).toMatch(/left behind: .*link cni[0-9a-f]{4}-\d+ bridge/);
    },
  );

  it('DEL takes away the sandbox end: a removed sandbox leaves no veth on the host', async () => {
    const host = lab.hosts[0]!;
    const network = await driver.createNetwork({ name: 'cd', host });
    const s = await driver.createSandbox({ name: 'cd1', host, network });
    // the host end is the sandbox's eth0's peer ("eth0@if23"): that one link, not a count other tests change
    const inside = (await s.exec(['ip', '-o', 'link', 'show', 'eth0'])).output;
    const peer = /eth0@if(\d+)/.exec(inside)?.[1];
    expect(peer, inside).toBeDefined();
    const hostEnd = () => run(['ip', '-o', 'link', 'show', 'type', 'veth'], { netns: host.netns });
    expect((await hostEnd()).output).toMatch(new RegExp(`^${peer}: `, 'm'));
    await s.remove();
    expect((await hostEnd()).output).not.toMatch(new RegExp(`^${peer}: `, 'm'));
    await network.remove();
  });
});

describe('CNI macvlan on the lab underlay (a slice of one subnet per host)', () => {
  let driver: StartedDriver;
  beforeAll(async () => {
    driver = await resolveDrivers([conflist('macvlan')])[0]!.start(lab);
  });
  afterAll(async () => {
    await driver.stop();
  });

  it('connects sandboxes across hosts over the underlay, and leaves nothing after DEL', async () => {
    const r = await runCheck(lab, driver, crossHost);
    expect(r.verdict, r.reason).toBe('pass');
    const l = await runCheck(lab, driver, connectDisconnect);
    expect(l.verdict, l.reason).toBe('pass');
  });
});
