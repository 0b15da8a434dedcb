import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { StartedDriver } from '../../drivers/contract.ts';
import { refOverlay } from '../../drivers/reference/adapters.ts';
import { StartedLab } from '../../lab/lab.ts';
import { run } from '../../lab/linux/command.ts';
import { sleep } from '../../lab/wait.ts';
import { runCheck } from '../framework/engine.ts';
import { labFootprint } from '../framework/lab-footprint.ts';
import kvOutage from './kv-outage.ts';
import partition from './partition.ts';

// Interrupted in the middle of a fault (the run's signal, which Ctrl-C aborts): the fault is undone
// — etcd answers again, the host is back on the underlay — and nothing the check made is left.
const lab = StartedLab.attach(inject('lab'));
let driver: StartedDriver;

beforeAll(async () => {
  driver = await refOverlay.start(lab);
});
afterAll(async () => {
  await driver.stop();
});

/** Polls `faulted` until it holds (the fault is on), then aborts the run. */
async function interruptDuring(faulted: () => Promise<boolean>, controller: AbortController): Promise<number> {
  const t0 = Date.now();
  while (!(await faulted())) {
    if (Date.now() - t0 > 60_000) throw new Error('the fault never began');
    await sleep(100);
  }
  controller.abort(new Error('interrupted (Ctrl-C)'));
  return Date.now() - t0;
}

it('Ctrl-C while etcd is stopped: etcd is started again and nothing is left', async () => {
  const before = await labFootprint({ lab });
  const controller = new AbortController();
  const kv = lab.kv()!;
  const checking = runCheck(lab, driver, kvOutage, controller.signal);
  const etcdDown = () =>
    kv.get('/probe').then(
      () => false,
      () => true,
    );
  await interruptDuring(etcdDown, controller);
  const result = await checking;
  expect(result.verdict).toBe('error');
  expect(result.reason).toMatch(/interrupted/);
  expect(await etcdDown()).toBe(false);
  expect(await labFootprint({ lab })).toEqual(before);
}, 120_000);

it('Ctrl-C while a host is cut off: its port is up again and nothing is left', async () => {
  const before = await labFootprint({ lab });
  const controller = new AbortController();
  const port = () => run(['ip', '-j', 'link', 'show', 'h2'], { netns: lab.underlay!.netns });
  const cutOff = async () => {
    const [link] = JSON.parse((await port()).output) as { flags: string[] }[];
    return !link!.flags.includes('UP');
  };
  const checking = runCheck(lab, driver, partition, controller.signal);
  await interruptDuring(cutOff, controller);
  const result = await checking;
  expect(result.verdict).toBe('error');
  expect(await cutOff()).toBe(false);
  expect(await labFootprint({ lab })).toEqual(before);
}, 120_000);
