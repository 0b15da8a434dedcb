import type { StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import { restartNetnsHost } from '../../lab/netns-host.ts';

/**
 * Classic (pre-swarm) multi-host networking: every engine of the lab it is given restarted with
 * `--cluster-store` pointing at the lab's etcd (on the netns lab, hosts of the driver's own:
 * StartedLab.hostsOfItsOwn). Docker 20.10 refuses swarm mode while a cluster store is set, so the
 * teardown restarts the engines with the lab's own flags again.
 */
export async function joinClusterStore(
  lab: StartedLab,
): Promise<{ evidence: CommandResult[]; teardown: () => Promise<void> }> {
  const kv = lab.descriptor.kv;
  if (!kv) throw new Error('the classic overlay needs the lab etcd (netns lab)');
  const flags = [`--cluster-store=etcd://${kv.url.replace(/^http:\/\//, '')}`, '--cluster-advertise=eth0:2376'];
  const t0 = Date.now();
  await Promise.all(lab.hosts.map((h) => restartNetnsHost(h.descriptor, flags)));
  const evidence: CommandResult[] = [];
  for (const h of lab.hosts) {
    const info = (await h.docker.info()) as { ClusterStore?: string; ClusterAdvertise?: string };
    evidence.push({
      command: `[${h.name}] dockerd ${flags.join(' ')}; docker info`,
      exitCode: 0,
      output:
        `ClusterStore=${info.ClusterStore} ClusterAdvertise=${info.ClusterAdvertise} (restart ${Date.now() - t0} ` +
        `ms)`,
      timedOut: false,
    });
    if (!info.ClusterStore) throw new Error(`${h.name} did not take --cluster-store`);
  }
  return {
    evidence,
    teardown: async () => {
      // hosts of the driver's own are removed next; the lab's own get their flags back
      if (!lab.temporary) await Promise.all(lab.hosts.map((h) => restartNetnsHost(h.descriptor, [])));
    },
  };
}
