import type { StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import { swarmMembership } from '../../lab/remote/swarm-membership.ts';
import { LABEL_RUN } from '../../lab/run-id.ts';
import { sleep } from '../../lab/wait.ts';

interface FormedSwarm {
  evidence: CommandResult[];
  teardown: () => Promise<void>;
}

/**
 * A swarm the remote hosts were in before the run: used as it is with --use-existing-swarm (no
 * init, no leave), refused without it. Undefined when no host was in one.
 */
function existingSwarm(lab: StartedLab): FormedSwarm | undefined {
  const joined = lab.hosts.filter((h) => h.descriptor.swarm === 'active');
  if (joined.length === 0) return undefined;
  const names = joined.map((h) => h.name).join(', ');
  if (!lab.existingSwarm)
    throw new Error(
      `${names} already in a swarm the run did not make; the harness never changes it. Fix: pass ` +
        '--use-existing-swarm to run on it as it is, or take the hosts out of it',
    );
  if (joined.length < lab.hosts.length)
    throw new Error(`only ${names} of the lab's hosts are in the existing swarm; all of them must be`);
  const evidence = [
    { command: 'swarm', exitCode: 0, output: `existing swarm on ${names}, used as it is`, timedOut: false },
  ];
  return { evidence, teardown: async () => undefined };
}

/**
 * Puts the lab's hosts into one swarm: the first host is the manager, the others join as workers,
 * each advertising its underlay address (netns) or the address its lab file gives (remote).
 */
export async function formSwarm(lab: StartedLab): Promise<FormedSwarm> {
  const existing = existingSwarm(lab);
  if (existing) return existing;
  const [manager, ...workers] = lab.hosts;
  if (!manager?.descriptor.underlayAddress) throw new Error('swarm needs hosts with underlay addresses');
  const evidence: CommandResult[] = [];
  const addr = manager.descriptor.underlayAddress;
  // the run's label on the swarm: `clean` takes hosts out of a swarm a killed run made, and only that one
  await manager.docker.swarmInit({
    ListenAddr: '0.0.0.0:2377',
    AdvertiseAddr: addr,
    ForceNewCluster: false,
    Spec: { Labels: { [LABEL_RUN]: lab.runId } },
  });
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
  return { evidence, teardown: () => leaveSwarm([...workers, manager]) };
}

/** How long a host is given to be out of the swarm after it was asked to leave. */
const LEAVE_MS = 30_000;

/**
 * Takes the hosts out of the swarm the run made, workers first, and confirms each is out: a leave
 * whose request was lost (a dropped connection under load) must not leave a host in the swarm for
 * the next run to refuse. Throws naming every host still in it.
 */
async function leaveSwarm(hosts: StartedLab['hosts']): Promise<void> {
  const stuck: string[] = [];
  for (const h of hosts) {
    const deadline = Date.now() + LEAVE_MS;
    let last = '';
    for (;;) {
      const state = await swarmMembership(h.docker).then(
        (m) => m.state,
        (e: Error) => `unknown (${e.message})`,
      );
      if (state === 'inactive') break;
      if (Date.now() > deadline) {
        stuck.push(`${h.name}: still ${state} after ${LEAVE_MS / 1000}s${last ? `; swarm leave: ${last}` : ''}`);
        break;
      }
      // "pending"/"leaving" settle by themselves; anything else is asked (again)
      if (state !== 'pending')
        await h.docker.swarmLeave({ force: true }).then(
          () => undefined,
          (e: Error) => (last = e.message),
        );
      await sleep(500);
    }
  }
  if (stuck.length) throw new Error(`hosts left in the run's swarm: ${stuck.join('; ')}`);
}
