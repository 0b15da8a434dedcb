import { writeFile } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { testTempDir } from '../lab/testing/temp-dir.ts';
import { ConfigError, resolveRunConfig } from './config.ts';

describe('resolveRunConfig', () => {
  it('defaults to the 2-host netns lab and ./cnm-report', () => {
    expect(resolveRunConfig({}, {})).toEqual({ hosts: 2, lab: 'netns', report: './cnm-report' });
  });
  it('layers file < environment < flags', async () => {
    const dir = await testTempDir('cfg-', onTestFinished);
    await writeFile(`${dir}/c.json`, JSON.stringify({ hosts: 3, checks: 'isolation', drivers: ['docker-none'] }));
    const cfg = resolveRunConfig(
      { config: `${dir}/c.json`, drivers: 'docker-bridge,docker-host' },
      { CNM_HARNESS_HOSTS: '4' },
    );
    expect(cfg).toMatchObject({ hosts: 4, checks: 'isolation', drivers: ['docker-bridge', 'docker-host'] });
  });
  it('names the JSON path and what was expected', async () => {
    expect(() => resolveRunConfig({ hosts: '0' }, {})).toThrow(/\/hosts: must be >= 1/);
    expect(() => resolveRunConfig({ hosts: 'two' }, {})).toThrow(/\/hosts: must be integer/);
    const dir = await testTempDir('cfg-', onTestFinished);
    await writeFile(`${dir}/c.json`, JSON.stringify({ lab: 'cloud', color: true }));
    let err: unknown;
    try {
      resolveRunConfig({ config: `${dir}/c.json` }, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /\/lab: must be equal to one of the allowed values \(netns, local, remote\)/,
    );
    expect((err as Error).message).toMatch(/must NOT have additional properties/);
  });
  it('a remote lab needs a lab file, a lab file needs the remote lab, and its hosts come from the file', () => {
    expect(() => resolveRunConfig({ lab: 'remote' }, {})).toThrow(/--lab remote needs --lab-file FILE/);
    expect(() => resolveRunConfig({ labFile: 'hosts.json' }, {})).toThrow(/describes a remote lab: add --lab remote/);
    expect(() => resolveRunConfig({ lab: 'remote', labFile: 'h.json', hosts: '3' }, {})).toThrow(/leave out --hosts/);
    expect(resolveRunConfig({ lab: 'remote' }, { CNM_HARNESS_LAB_FILE: 'h.json' }).labFile).toBe('h.json');
  });
  it('takes drivers described by a file under each of their prefixes', () => {
    const drivers = ['remote:a.json', 'cni:b.conflist', 'manifest:c.json'];
    expect(resolveRunConfig({ drivers: drivers.join(',') }, {}).drivers).toEqual(drivers);
  });
  it('refuses several hosts on the local lab', () => {
    expect(() => resolveRunConfig({ lab: 'local', hosts: '2' }, {})).toThrow(/--lab local is one host/);
    expect(resolveRunConfig({ lab: 'local' }, {}).hosts).toBe(1);
  });
  it('reports an unreadable or non-JSON config file', async () => {
    expect(() => resolveRunConfig({ config: '/nonexistent.json' }, {})).toThrow(/cannot read config file/);
    const dir = await testTempDir('cfg-', onTestFinished);
    await writeFile(`${dir}/bad.json`, '{ hosts: 2');
    expect(() => resolveRunConfig({ config: `${dir}/bad.json` }, {})).toThrow(/is not JSON/);
  });
});
