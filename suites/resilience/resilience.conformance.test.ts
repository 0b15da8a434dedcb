import { beforeAll, describe, expect, inject, it } from 'vitest';
import { refOverlay } from '../../drivers/reference/adapters.ts';
import { refBridgeAtDocker, refOverlayAtDocker } from '../../drivers/reference/plugin/adapters.ts';
import { StartedLab } from '../../lab/lab.ts';
import { selectChecks } from '../catalog.ts';
import { runChecks } from '../framework/engine.ts';
import type { CheckResult } from '../framework/result.ts';

// The resilience suite on the reference overlay and the reference plugins, as `run --checks
// resilience` runs it (drivers one after another): every check that applies passes, with its
// figures. Docker's built-ins are measured by `run`, not asserted here (their figures are in the note).
const lab = StartedLab.attach(inject('lab'));
const drivers = [refOverlay, refBridgeAtDocker, refOverlayAtDocker];
const checks = selectChecks('resilience');
let results: CheckResult[];

beforeAll(async () => {
  results = await runChecks({ lab, drivers, checks, concurrency: 4 });
}, 600_000);

describe.each(drivers)('$id', (driver) => {
  it.for(checks)('$id', (check, ctx) => {
    const r = results.find((x) => x.driver === driver.id && x.check === check.id)!;
    if (r.verdict === 'skip') ctx.skip(r.reason);
    expect(r.verdict, `${r.reason}\n${JSON.stringify(r.observed).slice(0, 800)}`).toBe('pass');
    // every fault check keeps the probe loop it judged by, or the figures of each impairment
    expect(r.metrics?.timeline ?? r.metrics?.phases).toBeDefined();
  });
});

it('applies where it should: plugin-restart to the plugins only, kv-outage to the etcd users', () => {
  const ran = (d: string, c: string) => results.find((x) => x.driver === d && x.check === c)!.verdict !== 'skip';
  expect(ran('ref-overlay', 'resilience/plugin-restart')).toBe(false);
  expect(ran('ref-bridge@docker', 'resilience/plugin-restart')).toBe(true);
  expect(ran('ref-bridge@docker', 'resilience/kv-outage')).toBe(false);
  expect(ran('ref-overlay@docker', 'resilience/kv-outage')).toBe(true);
  expect(ran('ref-overlay', 'resilience/engine-restart')).toBe(false);
});
