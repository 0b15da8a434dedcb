import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedDriver } from '../../drivers/contract.ts';
import { brokenPluginDriver } from '../../fixtures/plugins/broken-driver.ts';
import { StartedLab } from '../../lab/lab.ts';
import { runCheck } from '../framework/engine.ts';
import type { CheckResult } from '../framework/result.ts';
import capabilities from './capabilities.ts';
import fuzz from './fuzz.ts';
import genericOptions from './generic-options.ts';
import joinInterface from './join-interface.ts';
import repliesValid from './replies-valid.ts';
import teardown from './teardown.ts';
import unknownIds from './unknown-ids.ts';

// Each planted defect of fixtures/plugins/broken-plugin.ts must show up as a failing protocol check
// with evidence, while what the plugin does right still passes, and all of it in bounded time.
// A lab of its own: the plugin leaks bridges on purpose (some with fuzzed addresses such as
// 10.0.0.1/8), and the shared lab's later tests must not inherit their routes.
let lab: StartedLab;
let driver: StartedDriver;

beforeAll(async () => {
  lab = await StartedLab.up({ kind: 'netns', hosts: 1 });
  driver = await brokenPluginDriver.start(lab);
});
afterAll(async () => {
  await driver?.stop();
  await lab?.down();
});

async function check(c: Parameters<typeof runCheck>[2]): Promise<CheckResult> {
  return runCheck(lab, driver, c);
}

describe('the deliberately broken plugin', () => {
  it('panics on an unknown ID: protocol/unknown-ids fails with the dropped connections as evidence', async () => {
    const r = await check(unknownIds);
    expect(r.verdict).toBe('fail');
    expect(r.reason).toMatch(/connection closed/);
    expect(r.evidence.some((e) => /NetworkDriver\.Join/.test(e.command) && /connection closed/.test(e.output))).toBe(
      true,
    );
  });

  it('leaks its bridge on DeleteNetwork: protocol/teardown fails naming the bridge', async () => {
    const r = await check(teardown);
    expect(r.verdict).toBe('fail');
    expect((r.observed as { leftBehind: string[] }).leftBehind.some((l) => /^link bk[0-9a-f]{8} bridge$/.test(l))).toBe(
      true,
    );
  });

  it('ignores -o options: protocol/generic-options fails with the MTU it got', async () => {
    const r = await check(genericOptions);
    expect(r.verdict).toBe('fail');
    expect(r.observed).toEqual({ mtu: 1500 });
  });

  it('answers text/plain: protocol/replies-valid fails on the Content-Type', async () => {
    const r = await check(repliesValid);
    expect(r.verdict).toBe('fail');
    expect(r.reason).toMatch(/Content-Type text\/plain/);
  });

  it('fuzzing finds each defect and hands back the smallest request that shows it, in bounded time', async () => {
    const t0 = Date.now();
    const r = await runCheck(lab, driver, fuzz, undefined, { fuzzSeed: 42, fuzzBudget: 600 });
    expect(r.verdict).toBe('fail');
    const observed = r.observed as { defects: { call: string; problem: string; request: string }[]; seed: number };
    expect(observed.seed).toBe(42);
    const found = (call: string, problem: RegExp) =>
      observed.defects.find((d) => d.call === `NetworkDriver.${call}` && problem.test(d.problem));
    // defect 1: a panic on an unknown ID drops the connection; the shrunk request is small
    const dropped = found('Join', /connection closed/);
    expect(dropped).toBeDefined();
    expect(dropped!.request.length).toBeLessThan(200);
    // defect 2: DeleteNetwork leaves the bridge: a CreateNetwork undone still leaves a link
    expect(found('CreateNetwork', /left bk[0-9a-f]{8} behind/)).toBeDefined();
    // the smallest requests are the evidence
    expect(r.evidence.some((e) => /smallest failing request/.test(e.command) && /request: /.test(e.output))).toBe(true);
    expect(Date.now() - t0).toBeLessThan(300_000);
  });

  it('what it does right still passes: capabilities and the Join interface', async () => {
    expect((await check(capabilities)).verdict).toBe('pass');
    expect((await check(joinInterface)).verdict).toBe('pass');
  });
});
