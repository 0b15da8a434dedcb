import { describe, expect, it } from 'vitest';
import { fuzzCases, type FuzzIds } from './fuzz-cases.ts';

const ids: FuzzIds = {
  networkId: 'n1',
  endpointId: 'e1',
  freshPool: '10.205.9.0/24',
  freshGateway: '10.205.9.1',
  address: '10.205.8.5',
  sandboxKey: '/run/netns/x',
  freshId: 'f1',
};

describe('fuzz cases', () => {
  const cases = fuzzCases(ids);

  it('are many, unique and deterministic', () => {
    expect(cases.length).toBeGreaterThan(500);
    const keys = cases.map((c) => `${c.call} ${typeof c.body === 'string' ? c.body : JSON.stringify(c.body)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(fuzzCases(ids).map((c) => c.what)).toEqual(cases.map((c) => c.what));
  });

  it('cover missing fields, wrong types, boundary CIDRs, oversized values and raw bodies', () => {
    const whats = cases.filter((c) => c.call === 'NetworkDriver.CreateNetwork').map((c) => c.what);
    expect(whats).toContain('NetworkID missing');
    expect(whats).toContain('IPv4Data.0.Pool = "0.0.0.0/0"');
    expect(whats).toContain('IPv4Data.0.Pool = 0');
    expect(whats.some((w) => w.startsWith('NetworkID = "xxxxxxxxxxxx…" (65536 chars)'))).toBe(true);
    expect(whats).toContain('2 MiB body');
    const mac = cases.find((c) => c.what === 'Interface.MacAddress = "ff:ff:ff:ff:ff:ff"');
    expect((mac?.body as { Interface: { MacAddress: string } }).Interface.MacAddress).toBe('ff:ff:ff:ff:ff:ff');
  });

  it('leave the other fields of a mutated request as in the baseline', () => {
    const c = cases.find((x) => x.call === 'NetworkDriver.Join' && x.what === 'SandboxKey missing')!;
    expect(c.body).toEqual({ NetworkID: 'n1', EndpointID: 'e1', Options: {} });
  });
});
