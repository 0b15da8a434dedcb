import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { StartedDriver } from '../../drivers/contract.ts';
import { dockerBridge } from '../../drivers/docker/adapters.ts';
import { StartedLab } from '../../lab/lab.ts';
import { mustRun } from '../../lab/linux/command.ts';
import { runCheck } from '../framework/engine.ts';
import type { TruthRow } from '../framework/truth-table.ts';
import isolationNetworks from './networks.ts';

// The checks can fail: an ACCEPT in DOCKER-USER (consulted before Docker's isolation chains) on
// the lab host lets traffic cross between two bridge networks, and isolation/networks must say so.
const lab = StartedLab.attach(inject('lab'));
const host = lab.hosts[0]!;
const RULE = ['DOCKER-USER', '-m', 'comment', '--comment', `cnmh-${lab.runId}-broken-on-purpose`, '-j', 'ACCEPT'];
let driver: StartedDriver;

beforeAll(async () => {
  driver = await dockerBridge.start(lab);
});
afterAll(async () => {
  await driver.stop();
});

it('isolation/networks fails, with the crossing pairs as evidence, when a host lets bridge networks talk', async () => {
  await mustRun(['iptables', '-I', ...RULE], { netns: host.netns });
  let result;
  try {
    result = await runCheck(lab, driver, isolationNetworks);
  } finally {
    await mustRun(['iptables', '-D', ...RULE], { netns: host.netns });
  }
  expect(result.verdict).toBe('fail');
  const table = (result.observed as { table: TruthRow[] }).table;
  const crossing = table.filter((r) => r.expected === 'blocked' && r.observed === 'ok');
  // a1/a2 → b1 and b1 → a1/a2, over ICMP, TCP and UDP
  expect(crossing.length).toBe(12);
  expect(result.reason).toMatch(/expected blocked, observed ok/);
  expect(result.evidence.some((e) => e.host === host.name && e.exitCode === 0)).toBe(true);

  // and with the host repaired the same check passes again
  const repaired = await runCheck(lab, driver, isolationNetworks);
  expect(repaired.verdict, repaired.reason).toBe('pass');
});
