import { execa } from 'execa';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { STATE_DIR } from '../lab/run-id.ts';
import { testTempDir } from '../lab/testing/temp-dir.ts';

// Every command, fed bad input: exit 2, one message that says what was expected, no stack trace,
// and nothing brought up (no run state appears while it runs).
const CLI = new URL('../bin/cnm-harness.mjs', import.meta.url).pathname;
const cli = (args: string[]) => execa('node', [CLI, ...args], { reject: false, all: true, timeout: 60_000 });
const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

interface Case {
  args: (dir: string) => string[];
  message: RegExp;
}

const CASES: Record<string, Case> = {
  'run: unknown driver': {
    args: () => ['run', '--drivers', 'docker-bogus'],
    message: /unknown driver: docker-bogus\. Known drivers: .*docker-bridge/,
  },
  'run: --hosts out of range': { args: () => ['run', '--hosts', '0'], message: /\/hosts: must be >= 1/ },
  'run: --checks matching nothing': { args: () => ['run', '--checks', 'nothing/matches'], message: /matches no check/ },
  'run: unknown lab kind': {
    args: () => ['run', '--lab', 'cloud'],
    message: /Allowed choices are netns, local, remote/,
  },
  'run: config file that is not JSON': {
    args: (d) => ['run', '--config', `${d}/broken.json`],
    message: /config file .*broken\.json is not JSON/,
  },
  'run: config with a wrong type': {
    args: (d) => ['run', '--config', `${d}/wrong-type.json`],
    message: /\/hosts: must be integer/,
  },
  'run: a driver the lab cannot host': {
    args: () => ['run', '--drivers', 'ref-bridge', '--lab', 'local'],
    message: /ref-bridge cannot run on --lab local with 1 host\(s\): the reference drivers build on the netns lab/,
  },
  'run: --lab remote without a lab file': {
    args: () => ['run', '--lab', 'remote'],
    message: /--lab remote needs --lab-file FILE/,
  },
  'run: a lab file that is no lab file': {
    args: (d) => ['run', '--lab', 'remote', '--lab-file', `${d}/wrong-type.json`],
    message: /lab file .*wrong-type\.json is invalid:\n\s+\/hosts: must be array/,
  },
  'run: a driver remote hosts cannot host': {
    args: (d) => ['run', '--lab', 'remote', '--lab-file', `${d}/one-remote-host.json`, '--drivers', 'ref-bridge'],
    message: /ref-bridge cannot run on --lab remote with 1 host\(s\)/,
  },
  'bench: ceilings on remote hosts': {
    args: (d) => ['bench', '--lab', 'remote', '--lab-file', `${d}/one-remote-host.json`, '--ceilings', 'veth'],
    message: /--ceilings with --lab remote: the ceilings are measured in this machine's namespaces/,
  },
  'bench: unknown ceiling': { args: () => ['bench', '--ceilings', 'fiber'], message: /unknown ceiling\(s\): fiber/ },
  'bench: a rate that is no rate': {
    args: () => ['bench', '--udp-rate', 'fast'],
    message: /expected a rate like 500M/,
  },
  'bench: --repeats 0': { args: () => ['bench', '--repeats', '0'], message: /--repeats must be an integer from 1/ },
  'bench: too few hosts for a driver': {
    args: () => ['bench', '--drivers', 'docker-overlay', '--hosts', '1'],
    message: /docker-overlay cannot run on --lab netns with 1 host\(s\)/,
  },
  'report: missing results file': {
    args: (d) => ['report', `${d}/none.json`],
    message: /cannot read the results file .*none\.json: ENOENT.*Expected a results\.json/,
  },
  'report: results file that is not a results file': {
    args: (d) => ['report', `${d}/wrong-type.json`],
    message: /results file .*wrong-type\.json is invalid:\n\s+\/: must have required property 'run'/,
  },
  'report compare: one file only': {
    args: (d) => ['report', 'compare', `${d}/wrong-type.json`],
    message: /usage: cnm-harness report compare <baseline\/results\.json> <current\/results\.json>/,
  },
  'certify: missing manifest': {
    args: (d) => ['certify', `${d}/none.json`, '--report', d],
    message: /none\.json/,
  },
  'certify: a driver that cannot run on the lab asked for': {
    args: (d) => ['certify', `${FIXTURES}manifests/ref-bridge.json`, '--lab', 'local', '--report', d],
    message: /cannot run on --lab local with 1 host\(s\): the manifest starts the plugin on netns lab hosts/,
  },
  'certify: --hosts out of range': {
    args: (d) => ['certify', `${FIXTURES}manifests/ref-bridge.json`, '--hosts', '9', '--report', d],
    message: /--hosts must be an integer from 1 to 8, not 9/,
  },
  'verify: missing certificate': {
    args: (d) => ['verify', `${d}/none.json`, `${d}/wrong-type.json`],
    message: /cannot read the certificate .*none\.json: ENOENT/,
  },
  'verify: certificate that is not JSON': {
    args: (d) => ['verify', `${d}/broken.json`, `${d}/wrong-type.json`],
    message: /cannot read the certificate .*broken\.json: .*JSON/,
  },
  'verify: a JSON file that is no certificate': {
    args: (d) => ['verify', `${d}/wrong-type.json`, `${d}/wrong-type.json`],
    message: /certificate .*wrong-type\.json is invalid:\n\s+\/: must have required property 'kind'/,
  },
  'lab up: --hosts out of range': { args: () => ['lab', 'up', '--hosts', 'x'], message: /--hosts must be an integer/ },
  'lab down: unknown lab': {
    args: () => ['lab', 'down', 'zzzzzz'],
    message: /no lab zzzzzz; see 'cnm-harness lab status'/,
  },
  'plugin serve: no etcd socket': {
    args: (d) => ['plugin', 'serve', '--dir', d, '--kv-socket', `${d}/etcd.sock`],
    message: /--kv-socket .*etcd\.sock: no socket there\. Start etcd with --listen-client-urls unix:\/\//,
  },
  'plugin serve: no such uplink': {
    args: (d) => ['plugin', 'serve', '--dir', d, '--uplink', 'nope0'],
    message: /--uplink nope0: no such interface in this namespace/,
  },
  'clean: unknown option': { args: () => ['clean', '--everything'], message: /unknown option '--everything'/ },
};

describe.concurrent('bad input: exit 2, a message with the fix, no stack trace, nothing brought up', () => {
  it.for(Object.entries(CASES))('%s', async ([, c], { onTestFinished }) => {
    const dir = await testTempDir('cnm-bad-input-', onTestFinished);
    await writeFile(`${dir}/broken.json`, '{"hosts": ');
    await writeFile(`${dir}/wrong-type.json`, JSON.stringify({ hosts: 'two' }));
    await writeFile(
      `${dir}/one-remote-host.json`,
      JSON.stringify({ hosts: [{ name: 'a', engine: 'unix:///run/cnm-nothing.sock', address: '10.0.0.5' }] }),
    );
    const before = await readdir(STATE_DIR).catch(() => [] as string[]);
    const running = cli(c.args(dir));
    const r = await running;
    expect(r.exitCode, r.all).toBe(2);
    expect(r.all).toMatch(c.message);
    expect(r.all, 'a stack trace').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(r.all).not.toMatch(/lab \w+ up/);
    // no lab of this command's is left: other tests' labs may come and go meanwhile
    const after = await readdir(STATE_DIR).catch(() => [] as string[]);
    const pidOf = async (f: string) =>
      (JSON.parse(await readFile(`${STATE_DIR}/${f}`, 'utf8').catch(() => '{}')) as { pid?: number }).pid;
    const mine = [];
    for (const f of after.filter((x) => !before.includes(x))) if ((await pidOf(f)) === running.pid) mine.push(f);
    expect(mine).toEqual([]);
  });
});
