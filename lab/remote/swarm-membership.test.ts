import { describe, expect, it } from 'vitest';
import type { LabHost } from '../host.ts';
import { swarmItems, type SwarmMembership } from './swarm-membership.ts';

const hosts = [
  { name: 'a', descriptor: { underlayAddress: '10.0.0.1' } },
  { name: 'b', descriptor: { underlayAddress: '10.0.0.2' } },
] as unknown as LabHost[];
const inactive: SwarmMembership = { state: 'inactive', nodeId: '', manager: false, managers: [] };
const worker = (of: string): SwarmMembership => ({
  state: 'active',
  nodeId: 'w0rker000000xyz',
  manager: false,
  managers: [`${of}:2377`],
});

describe("swarmItems: the leak audit's view of the hosts' swarms", () => {
  it('a swarm the run made is its: the manager by its label, a worker by the manager it follows', () => {
    const manager: SwarmMembership = {
      state: 'active',
      nodeId: 'm4nager00000abc',
      manager: true,
      managers: [],
      runId: 'r1',
    };
    const { items, runLabels } = swarmItems(hosts, [manager, worker('10.0.0.1')], 'r2');
    expect(items).toEqual([['swarm manager m4nager00000 active'], ['swarm worker w0rker000000 active']]);
    expect(runLabels).toEqual([
      { 'swarm manager m4nager00000 active': 'r1' },
      { 'swarm worker w0rker000000 active': 'r1' },
    ]);
  });

  it("a worker left behind when its lab manager left is the run's; one following another manager is nobody's", () => {
    const orphan = swarmItems(hosts, [inactive, worker('10.0.0.1')], 'r2');
    expect(orphan.items).toEqual([[], ['swarm worker w0rker000000 active']]);
    expect(orphan.runLabels[1]).toEqual({ 'swarm worker w0rker000000 active': 'r2' });
    const foreign = swarmItems(hosts, [inactive, worker('192.0.2.9')], 'r2');
    expect(foreign.runLabels).toEqual([{}, {}]);
    // a host whose state could not be read owns nothing and holds nothing here (its snapshot says why)
    expect(swarmItems(hosts, [undefined, worker('10.0.0.1')], 'r2').runLabels[1]).toEqual({});
  });
});
