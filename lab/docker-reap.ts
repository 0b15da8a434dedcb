import type Dockerode from 'dockerode';
import { LABEL_RUN } from './run-id.ts';

/** Removes what one run (without a run id: any run) made on an engine: its labelled containers, networks, volumes. */
export async function reapDockerObjects(docker: Dockerode, runId?: string): Promise<string[]> {
  const removed: string[] = [];
  const filters = JSON.stringify({ label: [runId ? `${LABEL_RUN}=${runId}` : LABEL_RUN] });
  for (const c of await docker.listContainers({ all: true, filters }).catch(() => [])) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
    removed.push(`container ${c.Names[0]?.replace(/^\//, '') ?? c.Id}`);
  }
  for (const n of await docker.listNetworks({ filters }).catch(() => [])) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
    removed.push(`network ${n.Name}`);
  }
  const volumes = await docker.listVolumes({ filters }).catch(() => ({ Volumes: [] }));
  for (const v of volumes.Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
    removed.push(`volume ${v.Name}`);
  }
  return removed;
}
