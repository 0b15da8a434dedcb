import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { StartedDriver } from '../../drivers/contract.ts';
import { refBridge } from '../../drivers/reference/adapters.ts';
import { StartedLab } from '../../lab/lab.ts';
import { run } from '../../lab/linux/command.ts';
import { defineCheck } from './check.ts';
import { runCheck } from './engine.ts';
import { hostFootprint } from './footprint.ts';

// A timeout stops what it times out: a check that keeps making objects before and after its
// timeout, and one that hangs forever, both end as errors within the bound, and nothing they made
// stays on the lab host.
const lab = StartedLab.attach(inject('lab'));
const host = lab.hosts[0]!;
let driver: StartedDriver;

beforeAll(async () => {
  driver = await refBridge.start(lab);
});
afterAll(async () => {
  await driver.stop();
});

const runaway = defineCheck({
  id: 'test/runaway',
  title: 'keeps making links and networks, ignoring its timeout',
  requires: {},
  timeoutMs: 3_000,
  async run(ctx) {
    for (let i = 0; ; i++) {
      const name = `rw${lab.runId.slice(0, 4)}${i}`;
      // the undo is registered before the link exists: a stop in between leaves nothing
      ctx.defer(async () => void (await run(['ip', 'link', 'delete', name], { netns: host.netns })));
      await ctx.onHost(host, ['ip', 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
      if (i % 5 === 0) ctx.use(await ctx.driver.createNetwork({ name: `rw${i}` }));
      // a plain timer, deaf to the signal: the check only learns it was stopped at its next call
      await new Promise((r) => setTimeout(r, 150));
    }
  },
});

const hang = defineCheck({
  id: 'test/hang',
  title: 'never returns',
  requires: {},
  timeoutMs: 2_000,
  run: () => new Promise(() => undefined),
});

it('a check that keeps making objects past its timeout is stopped, and everything it made is removed', async () => {
  const before = await hostFootprint(host);
  const t0 = Date.now();
  const result = await runCheck(lab, driver, runaway);
  const took = Date.now() - t0;
  expect(result.verdict).toBe('error');
  expect(result.reason).toMatch(/test\/runaway did not finish within 3s/);
  // stopped at its next call after the timeout, not after the 10 s grace
  expect(took).toBeLessThan(3_000 + 5_000);
  // it made links before it was stopped (how many depends on the machine's load), so "nothing left" means something
  expect(result.evidence.filter((e) => /ip link add/.test(e.command)).length).toBeGreaterThan(0);
  // and it stays stopped: nothing appears later either
  await new Promise((r) => setTimeout(r, 1_000));
  expect(await hostFootprint(host)).toEqual(before);
}, 60_000);

it('a check that hangs forever is an error after its timeout and grace, and the run goes on', async () => {
  const t0 = Date.now();
  const result = await runCheck(lab, driver, hang);
  expect(result.verdict).toBe('error');
  expect(result.reason).toMatch(/test\/hang did not finish within 2s/);
  expect(Date.now() - t0).toBeLessThan(2_000 + 10_000 + 3_000);
}, 60_000);
