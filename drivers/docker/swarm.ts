import type { StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';

/** Puts the lab's hosts into one swarm: the first host is the manager, the others join as workers. */
export async function formSwarm(
  lab: StartedLab,
): Promise<{ evidence: CommandResult[]; teardown: () => Promise<void> }> {
  const [manager, ...workers] = lab.hosts;
  if (!manager?.descriptor.underlayAddress) throw new Error('swarm needs netns lab hosts with underlay addresses');
  const evidence: CommandResult[] = [];
  const addr = manager.descriptor.underlayAddress;
  await manager.docker.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: addr, ForceNewCluster: false });
  const swarm = (await manager.docker.swarmInspect()) as { ID: string; JoinTokens: { Worker: string } };
  evidence.push({
    command: `[${manager.name}] swarm init --advertise-addr ${addr}`,
    exitCode: 0,
    output: `swarm ${swarm.ID}`,
    timedOut: false,
  });
  for (const w of workers) {
    await w.docker.swarmJoin({
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: w.descriptor.underlayAddress,
      RemoteAddrs: [`${addr}:2377`],
      JoinToken: swarm.JoinTokens.Worker,
    });
    evidence.push({
      command: `[${w.name}] swarm join ${addr}:2377`,
      exitCode: 0,
      output: 'joined as worker',
      timedOut: false,
    });
  }
  const nodes = (await manager.docker.listNodes()) as {
    Description?: { Hostname?: string };
    Status?: { State?: string };
  }[];
  evidence.push({
    command: `[${manager.name}] node ls`,
    exitCode: 0,
    output: nodes.map((n) => `${n.Description?.Hostname} ${n.Status?.State}`).join('\n'),
    timedOut: false,
  });
  return {
    evidence,
    teardown: async () => {
      for (const h of [...workers, manager]) await h.docker.swarmLeave({ force: true }).catch(() => undefined);
    },
  };
}
