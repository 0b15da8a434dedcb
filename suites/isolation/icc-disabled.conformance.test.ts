import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Driver, StartedDriver } from '../../drivers/contract.ts';
import { refBridge } from '../../drivers/reference/adapters.ts';
import { bridgeNetworks, RefStartedDriver } from '../../drivers/reference/ref-driver.ts';
import { StartedLab } from '../../lab/lab.ts';
import { runCheck } from '../framework/engine.ts';
import type { TruthRow } from '../framework/truth-table.ts';
import iccDisabled from './icc-disabled.ts';

// The check can fail: a bridge that claims an option turns ICC off but ignores it (here the
// reference bridge told that `mtu=1500` is its ICC switch) lets the two peers talk, and the check
// must say so with the crossing pairs, while the self-probe controls still hold.
const lab = StartedLab.attach(inject('lab'));
const ignoresIcc: Driver = {
  ...refBridge,
  id: 'ref-bridge-ignoring-icc',
  profile: { ...refBridge.profile, iccOff: { mtu: '1500' } },
  start: async (l) => new RefStartedDriver(ignoresIcc, l, 'bridge', bridgeNetworks),
};
let driver: StartedDriver;

beforeAll(async () => {
  driver = await ignoresIcc.start(lab);
});
afterAll(async () => {
  await driver.stop();
});

it('isolation/icc-disabled fails when the ICC option is ignored, naming the peers that got through', async () => {
  const result = await runCheck(lab, driver, iccDisabled);
  expect(result.verdict, result.reason).toBe('fail');
  const rows = (result.observed as { table: TruthRow[] }).table;
  const crossing = rows.filter((r) => !r.control && r.expected === 'blocked' && r.observed === 'ok');
  // q1 → q2 and q2 → q1 over ICMP, TCP and UDP
  expect(crossing.length).toBe(6);
  expect(rows.filter((r) => r.control).every((r) => r.match)).toBe(true);
  expect(result.reason).toMatch(/q1→q2 \w+: expected blocked, observed ok/);
});
