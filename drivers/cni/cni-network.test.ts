import { expect, it } from 'vitest';
import { hostSlice } from '../docker/docker-driver.ts';
import { CniNetwork } from './cni-network.ts';

const template = {
  cniVersion: '1.0.0',
  name: 'template',
  plugins: [
    {
      type: 'bridge',
      isGateway: true,
      ipam: { type: 'host-local', subnet: '10.99.0.0/24', routes: [{ dst: '0.0.0.0/0' }] },
    },
    { type: 'tuning', sysctl: {} },
  ],
};

it('gives each network its own name, bridge and subnet, and host-local its own state directory per host', () => {
  const n = new CniNetwork('cnmh-abc-n1', 'id', '10.208.7.0/24', '10.208.7.1', template, 'cniabc-7', false);
  const c = n.configFor(0, 2, '/var/lib/x/h1/cni-ipam');
  expect(c.name).toBe('cnmh-abc-n1');
  expect(c.plugins[0]).toMatchObject({
    type: 'bridge',
    bridge: 'cniabc-7',
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: '10.208.7.0/24', gateway: '10.208.7.1' }]],
      dataDir: '/var/lib/x/h1/cni-ipam',
      routes: [{ dst: '0.0.0.0/0' }],
    },
  });
  expect((c.plugins[0]!.ipam as Record<string, unknown>).subnet).toBeUndefined();
  expect(c.plugins[1]).toEqual({ type: 'tuning', sysctl: {} });
  // the template itself is untouched
  expect(template.plugins[0]!.ipam?.subnet).toBe('10.99.0.0/24');
});

it('splits the subnet between hosts for plugins whose endpoints meet on the underlay', () => {
  const n = new CniNetwork(
    'm',
    'id',
    '10.208.9.0/24',
    undefined,
    { cniVersion: '1.0.0', name: 't', plugins: [{ type: 'macvlan', master: 'eth0', ipam: { type: 'host-local' } }] },
    'unused',
    true,
  );
  const ranges = [0, 1].map(
    (i) =>
      (n.configFor(i, 2, '/d').plugins[0]!.ipam as { ranges: { rangeStart: string; rangeEnd: string }[][] })
        .ranges[0]![0]!,
  );
  expect(ranges).toEqual([
    { subnet: '10.208.9.0/24', rangeStart: '10.208.9.2', rangeEnd: '10.208.9.127' },
    { subnet: '10.208.9.0/24', rangeStart: '10.208.9.128', rangeEnd: '10.208.9.253' },
  ]);
});

it('slices a /24 for Docker per-host networks: --ip-range per host', () => {
  expect(hostSlice('10.207.5.0/24', 0, 2)).toBe('10.207.5.0/25');
  expect(hostSlice('10.207.5.0/24', 1, 2)).toBe('10.207.5.128/25');
  expect(hostSlice('10.207.5.0/24', 2, 3)).toBe('10.207.5.128/26');
  expect(hostSlice('10.207.5.0/24', 0, 1)).toBe('10.207.5.0/24');
});
