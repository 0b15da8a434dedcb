import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestArbitrary } from './fuzz-arbitraries.ts';
import { fuzzCases, type FuzzIds } from './fuzz-cases.ts';
import { minimize } from './minimize.ts';

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

describe('schema-driven fuzz requests', () => {
  const sample = (seed: number) =>
    fc.sample(requestArbitrary('NetworkDriver.CreateEndpoint', ids), { seed, numRuns: 200 });

  it('the same seed gives the same requests; another seed others', () => {
    expect(sample(7)).toEqual(sample(7));
    expect(sample(8)).not.toEqual(sample(7));
  });

  it('mix well-formed requests (reaching the plugin state), missing fields, wrong types and raw bodies', () => {
    const bodies = sample(1);
    const objects = bodies.filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null);
    expect(objects.some((b) => b.NetworkID === 'n1' && typeof b.EndpointID === 'string')).toBe(true);
    expect(objects.some((b) => !('EndpointID' in b))).toBe(true);
    expect(objects.some((b) => b.NetworkID !== undefined && typeof b.NetworkID !== 'string')).toBe(true);
    expect(bodies.some((b) => typeof b === 'string')).toBe(true);
  });

  it('a failing request is shrunk (fast-check), then minimized to the smallest that still fails', async () => {
    // a stand-in defect: any request naming the existing network "fails"
    const fails = (b: unknown) => JSON.stringify(b).includes('"n1"');
    const out = fc.check(
      fc.property(requestArbitrary('NetworkDriver.CreateEndpoint', ids), (b) => !fails(b)),
      { seed: 3, numRuns: 500 },
    );
    expect(out.failed).toBe(true);
    const small = await minimize(out.counterexample![0], async (b) => fails(b));
    expect(small.value).toEqual({ NetworkID: 'n1' });
  });

  it('minimize cuts strings and drops fields, and keeps what the failure needs', async () => {
    const body = { NetworkID: 'x'.repeat(5000), EndpointID: 'e1', Options: { a: '1', b: [1, 2, 3, 4] } };
    const small = await minimize(body, async (b) => JSON.stringify(b).length > 100);
    expect(JSON.stringify(small.value).length).toBeLessThan(250);
    expect(JSON.stringify(small.value).length).toBeGreaterThan(100);
  });
});
