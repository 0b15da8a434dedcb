import { describe, expect, it } from 'vitest';
import { CHECKS, DEFAULT_CHECKS, selectChecks } from './catalog.ts';
import { satisfies } from './framework/expectations.ts';

describe('check catalog', () => {
  it('has unique ids of the form <suite>/<name>', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
  });
  it('selects by suite, by exact id and by wildcard', () => {
    expect(selectChecks('isolation').every((c) => c.id.startsWith('isolation/'))).toBe(true);
    expect(selectChecks('isolation').length).toBeGreaterThanOrEqual(4);
    expect(selectChecks('identity/none').map((c) => c.id)).toEqual(['identity/none']);
    expect(selectChecks('connectivity/cross-*').map((c) => c.id)).toEqual([
      'connectivity/cross-host',
      'connectivity/cross-host-by-name',
    ]);
    expect(selectChecks('nope/nothing')).toEqual([]);
    // by default every check but the fault injecting ones, which are asked for by name
    expect(selectChecks(undefined)).toBe(DEFAULT_CHECKS);
    expect(DEFAULT_CHECKS.some((c) => c.id.startsWith('resilience/'))).toBe(false);
    expect(selectChecks('resilience').map((c) => c.id)).toEqual([
      'resilience/plugin-restart',
      'resilience/engine-restart',
      'resilience/kv-outage',
      'resilience/underlay-impairment',
      'resilience/partition',
    ]);
  });
});

describe('expectations', () => {
  it('ok needs an answer; blocked accepts a drop or a refusal but not an error', () => {
    expect(satisfies('ok', 'ok')).toBe(true);
    expect(satisfies('ok', 'timeout')).toBe(false);
    expect(satisfies('blocked', 'timeout')).toBe(true);
    expect(satisfies('blocked', 'refused')).toBe(true);
    expect(satisfies('blocked', 'unreachable')).toBe(true);
    expect(satisfies('blocked', 'ok')).toBe(false);
    // a broken probe must not pass for isolation, nor for connectivity
    expect(satisfies('blocked', 'tool-error')).toBe(false);
    expect(satisfies('ok', 'tool-error')).toBe(false);
    expect(satisfies('blocked', 'unresolved')).toBe(false);
  });
});
