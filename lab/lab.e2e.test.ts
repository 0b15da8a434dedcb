import { expect, inject, it } from 'vitest';
import { StartedLab } from './lab.ts';
import { run, runJson } from './linux/command.ts';
import { links } from './linux/links.ts';
import { listNetns } from './linux/netns.ts';
import { UNDERLAY_SUBNET } from './underlay.ts';

const lab = StartedLab.attach(inject('lab'));

interface Route {
  dst: string;
  dev?: string;
  gateway?: string;
}

it('the underlay has no link to a real interface and no lab namespace has a route out', async () => {
  const underlay = lab.underlay!;
  const switchLinks = await links(underlay.netns);
  // only the switch, loopback and the veth ends of the lab's own namespaces
  for (const l of switchLinks)
    expect(['bridge', 'veth', undefined], `${l.ifname} in ${underlay.netns}`).toContain(l.linkinfo?.info_kind);
  const vethPeers = switchLinks
    .filter((l) => l.linkinfo?.info_kind === 'veth')
    .map((l) => l.ifname)
    .sort();
  expect(vethPeers).toEqual([...lab.hosts.map((_, i) => `h${i + 1}`), 'out', 'kv'].sort());
  for (const ns of [
    underlay.netns,
    underlay.outside.netns,
    lab.descriptor.kv!.netns,
    ...lab.hosts.map((h) => h.netns!),
  ]) {
    const routes = await runJson<Route[]>(['ip', '-j', 'route', 'show'], { netns: ns });
    expect(
      routes.filter((r) => r.dst === 'default' || r.gateway),
      `routes in ${ns}`,
    ).toEqual([]);
  }
  // and a probe to an address outside the lab finds no way there (never sent: no route)
  const h1 = lab.hosts[0]!;
  const out = await run(['ip', 'route', 'get', '192.0.2.1'], { netns: h1.netns });
  expect(out.exitCode).not.toBe(0);
  expect(out.output).toMatch(/unreachable/i);
  expect(UNDERLAY_SUBNET).toMatch(/^198\.18\./);
});

it('each host is its own Docker engine: own hostname, own data root, own plugin directory', async () => {
  const infos = await Promise.all(
    lab.hosts.map((h) => h.docker.info() as Promise<{ Name: string; DockerRootDir: string; ID: string }>),
  );
  expect(new Set(infos.map((i) => i.Name)).size).toBe(lab.hosts.length);
  expect(infos.map((i) => i.Name)).toEqual(lab.hosts.map((h) => h.name));
  expect(new Set(infos.map((i) => i.DockerRootDir)).size).toBe(lab.hosts.length);
  for (const [i, h] of lab.hosts.entries())
    expect(infos[i]!.DockerRootDir.startsWith(h.descriptor.dataDir!)).toBe(true);
  // a file dropped in host 1's plugin directory is seen by host 1's dockerd only
  const { writeFile, rm } = await import('node:fs/promises');
  const marker = `${lab.hosts[0]!.descriptor.pluginDir}/marker.spec`;
  await writeFile(marker, 'unix:///nonexistent.sock\n');
  try {
    const pids = await Promise.all(
      lab.hosts.map(async (h) => (await run(['cat', `${h.descriptor.dataDir}/docker.pid`])).output.trim()),
    );
    const seen = await Promise.all(
      pids.map((pid) => run(['nsenter', `--target=${pid}`, '--mount', 'ls', '/run/docker/plugins'])),
    );
    expect(seen[0]!.output).toContain('marker.spec');
    for (const s of seen.slice(1)) expect(s.output).not.toContain('marker.spec');
  } finally {
    await rm(marker);
  }
});

it("hosts of a driver's own: engines on the lab's underlay, removed when done, the lab's untouched", async () => {
  const own = await lab.hostsOfItsOwn(2);
  const names = own.hosts.map((h) => h.name);
  const ownPorts = own.hosts.map((h) => h.descriptor.underlayPort!);
  try {
    expect(own.temporary).toBe(true);
    expect(lab.temporary).toBe(false);
    expect(own.underlay).toEqual(lab.underlay);
    expect(names.filter((n) => lab.hosts.some((h) => h.name === n))).toEqual([]);
    expect(ownPorts.filter((p) => lab.hosts.some((h) => h.descriptor.underlayPort === p))).toEqual([]);
    expect((await links(lab.underlay!.netns)).map((l) => l.ifname)).toEqual(expect.arrayContaining(ownPorts));
    for (const h of own.hosts) {
      const info = (await h.docker.info()) as { Name: string };
      expect(info.Name).toBe(h.name);
      // the probe image is there: a driver's sandboxes need it
      expect((await h.docker.getImage(own.probeImage).inspect()).Id).toBeTruthy();
      // on the lab's underlay: a lab host and the etcd answer
      for (const target of [lab.hosts[0]!.descriptor.underlayAddress!, new URL(lab.descriptor.kv!.url).hostname]) {
        const ping = await run(['ping', '-c', '1', '-W', '2', target], { netns: h.netns });
        expect(ping.exitCode, `${h.name} → ${target}: ${ping.output}`).toBe(0);
      }
    }
  } finally {
    await own.down();
  }
  const after = await listNetns();
  for (const n of names) expect(after).not.toContain(n);
  for (const h of lab.hosts) expect(after).toContain(h.netns);
  await Promise.all(lab.hosts.map((h) => h.docker.ping()));
  const ports = (await links(lab.underlay!.netns)).map((l) => l.ifname);
  expect(ports).toEqual(expect.arrayContaining(lab.hosts.map((h) => h.descriptor.underlayPort!)));
  for (const p of ownPorts) expect(ports).not.toContain(p);
});
