import { describe, expect, it } from 'vitest';
import { belongsTo } from './engine-namespaces.ts';

describe('belongsTo: which bound namespaces can be a remote host’s', () => {
  it('a namespace a netns lab made is only its own host’s, never another lab’s with the same addresses', () => {
    const self = 'cnmh-ab12cd-h1';
    expect(belongsTo('/proc/42/root/run/netns/cnmh-ab12cd-h1-ov0a1b2c3d', self)).toBe(true);
    expect(belongsTo('/proc/42/root/run/netns/cnmh-ffee00-h1-ov0a1b2c3d', self)).toBe(false);
    // h1's prefix is not h10's
    expect(belongsTo('/proc/42/root/run/netns/cnmh-ab12cd-h10-ov0a1b2c3d', self)).toBe(false);
  });

  it('on a real host (its namespace bound nowhere) a plugin’s own namespaces count, a harness lab’s do not', () => {
    expect(belongsTo('/proc/42/root/run/netns/plugin-net-7', undefined)).toBe(true);
    expect(belongsTo('/proc/42/root/var/run/docker/netns/1-abcdef1234', undefined)).toBe(true);
    expect(belongsTo('/proc/42/root/run/netns/cnmh-ab12cd-h1-ov0a1b2c3d', undefined)).toBe(false);
  });
});
