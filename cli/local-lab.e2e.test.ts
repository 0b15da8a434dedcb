import Dockerode from 'dockerode';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { StartedLab } from '../lab/lab.ts';
import { LOCAL_DOCKER_SOCKET } from '../lab/reaper.ts';
import { LABEL_RUN } from '../lab/run-id.ts';
import { testTempDir } from '../lab/testing/temp-dir.ts';
import { waitUntil } from '../lab/wait.ts';
import type { ResultsFile } from '../reports/results-file.ts';

const CLI = new URL('../bin/cnm-harness.mjs', import.meta.url).pathname;
/** `run` of Docker's bridge on the engine DOCKER_HOST names (--lab local). */
const RUN_DOCKER_BRIDGE_LOCALLY = [CLI, 'run', '--lab', 'local', '--drivers', 'docker-bridge'];

/** Container creations an engine saw between two times, with their labels. */
async function created(docker: Dockerode, since: number, until: number): Promise<Record<string, string>[]> {
  const stream = await docker.getEvents({
    since: Math.floor(since / 1000),
    until: Math.ceil(until / 1000) + 1,
    filters: JSON.stringify({ type: ['container'], event: ['create'] }),
  });
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { Actor: { Attributes: Record<string, string> } }).Actor.Attributes);
}

// `--lab local` finds its engine the way testcontainers does: DOCKER_HOST pointed at a netns lab's
// engine is the one it uses, and its sandboxes are testcontainers containers there
let lab: StartedLab;
let socket: string;
beforeAll(async () => {
  lab = await StartedLab.up({ kind: 'netns', hosts: 1 });
  socket = lab.descriptor.hosts[0]!.socketPath!;
}, 120_000);
afterAll(async () => {
  await lab?.down();
}, 120_000);

it('honours DOCKER_HOST: the run, its sandboxes (testcontainers) and its cleanup are on that engine', async () => {
  const report = await testTempDir('cnm-local-', onTestFinished);
  const since = Date.now();
  const res = await execa(
    'node',
    [...RUN_DOCKER_BRIDGE_LOCALLY, '--checks', 'connectivity/same-host,isolation/networks', '--report', report],
    { reject: false, all: true, timeout: 300_000, env: { DOCKER_HOST: `unix://${socket}` } },
  );
  expect(res.exitCode, res.all).toBe(0);
  const results = JSON.parse(await readFile(join(report, 'results.json'), 'utf8')) as ResultsFile;
  expect(results.run.lab.engine).toMatchObject({ socketPath: socket, foundBy: `DOCKER_HOST=unix://${socket}` });
  const runId = results.run.id;
  const there = (await created(lab.hosts[0]!.docker, since, Date.now())).filter((a) => a[LABEL_RUN] === runId);
  expect(there.length).toBeGreaterThanOrEqual(4);
  // made by testcontainers: its own label on every one of them
  expect(there.every((a) => a['org.testcontainers'] === 'true')).toBe(true);
  const machine = new Dockerode({ socketPath: LOCAL_DOCKER_SOCKET });
  expect((await created(machine, since, Date.now())).filter((a) => a[LABEL_RUN] === runId)).toEqual([]);
  const left = await lab.hosts[0]!.docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [LABEL_RUN] }),
  });
  expect(left).toEqual([]);
  expect(results.run.audit?.clean).toBe(true);
});

it('a DOCKER_HOST that does not answer is an error (exit 2), not a quiet fall-back to the default socket', async () => {
  const res = await execa('node', [CLI, 'run', '--lab', 'local', '--drivers', 'docker-none'], {
    reject: false,
    all: true,
    env: { DOCKER_HOST: 'unix:///run/cnm-harness-nothing-here.sock' },
  });
  expect(res.exitCode, res.all).toBe(2);
  expect(res.all).toMatch(/DOCKER_HOST=unix:\/\/\/run\/cnm-harness-nothing-here\.sock does not answer.*Fix:/s);
});

it('a killed run on that engine is cleaned there by `clean`', async () => {
  const labelled = { all: true, filters: JSON.stringify({ label: [LABEL_RUN] }) };
  const docker = lab.hosts[0]!.docker;
  const env = { DOCKER_HOST: `unix://${socket}` };
  const child = execa(
    'node',
    [...RUN_DOCKER_BRIDGE_LOCALLY, '--report', await testTempDir('cnm-local-', onTestFinished)],
    {
      reject: false,
      env,
    },
  );
  await waitUntil(
    async () => (await docker.listContainers(labelled)).length,
    (n) => n >= 1,
    { what: 'a container of the run', timeoutMs: 60_000, intervalMs: 100 },
  );
  child.kill('SIGKILL');
  await child;
  const res = await execa('node', [CLI, 'clean'], { reject: false, all: true });
  expect(res.exitCode, res.all).toBe(0);
  expect(await docker.listContainers(labelled)).toEqual([]);
  expect(await docker.listNetworks({ filters: JSON.stringify({ label: [LABEL_RUN] }) })).toEqual([]);
});
