import type Dockerode from 'dockerode';
import { reapDockerObjects } from '../docker-reap.ts';
import { LABEL_RUN, isRunId } from '../run-id.ts';
import { remoteDocker } from './engine-client.ts';
import { loadLabFile } from './lab-file.ts';
import { swarmMembership } from './swarm-membership.ts';

/** The run a swarm was made by (its spec carries the run's label), if a run made it and this is its manager. */
async function swarmRun(docker: Dockerode): Promise<string | undefined> {
  return (await swarmMembership(docker).catch(() => undefined))?.runId;
}

/** Every run id a remote engine holds something of: labelled containers, networks, volumes, a swarm. */
async function runsOn(docker: Dockerode): Promise<Set<string>> {
  const filters = JSON.stringify({ label: [LABEL_RUN] });
  const ids = new Set<string>();
  for (const c of await docker.listContainers({ all: true, filters })) ids.add(c.Labels[LABEL_RUN] ?? '');
  for (const n of await docker.listNetworks({ filters })) ids.add(n.Labels?.[LABEL_RUN] ?? '');
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) ids.add(v.Labels?.[LABEL_RUN] ?? '');
  ids.add((await swarmRun(docker)) ?? '');
  return new Set([...ids].filter(isRunId));
}

/** The node ids of a swarm a run made, asked of its manager (workers cannot tell whose swarm they are in). */
async function swarmNodes(docker: Dockerode): Promise<string[]> {
  const nodes = (await docker.listNodes().catch(() => [])) as { ID: string }[];
  return nodes.map((n) => n.ID);
}

async function nodeId(docker: Dockerode): Promise<string | undefined> {
  return (await swarmMembership(docker).catch(() => undefined))?.nodeId || undefined;
}

/**
 * `clean --lab-file F`: on each host of the file, what runs that are not alive here left (or every
 * run's, with `all`): containers, networks and volumes carrying a run's label, and a swarm a run made
 * (its manager knows it by the run's label on the swarm; its workers by their node ids), left by the
 * workers first. Nothing unlabelled is touched: the user's own objects and swarms stay.
 */
export async function cleanRemoteHosts(
  labFile: string,
  isAlive: (runId: string) => boolean,
): Promise<{ runs: string[]; removed: string[] }> {
  const { file, engines } = await loadLabFile(labFile);
  const runs = new Set<string>();
  const removed: string[] = [];
  const hosts = file.hosts.map((h, i) => ({ name: h.name, docker: remoteDocker(engines[i]!) }));
  const leaving: { name: string; docker: Dockerode; runId: string; manager: boolean }[] = [];
  for (const { name, docker } of hosts) {
    const ids = await runsOn(docker).catch((e: Error) => {
      removed.push(`nothing on ${name}: its engine did not answer (${e.message})`);
      return new Set<string>();
    });
    for (const id of ids) {
      if (isAlive(id)) continue;
      runs.add(id);
      for (const r of await reapDockerObjects(docker, id)) removed.push(`${name}: ${r}`);
      if ((await swarmRun(docker)) !== id) continue;
      const members = await swarmNodes(docker);
      for (const other of hosts) {
        const node = await nodeId(other.docker);
        if (node && members.includes(node)) leaving.push({ ...other, runId: id, manager: other.docker === docker });
      }
    }
  }
  for (const h of [...leaving.filter((l) => !l.manager), ...leaving.filter((l) => l.manager)]) {
    await h.docker.swarmLeave({ force: true }).catch(() => undefined);
    removed.push(`${h.name}: left the swarm of run ${h.runId}`);
  }
  return { runs: [...runs], removed };
}
