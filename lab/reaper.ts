import Dockerode from 'dockerode';
import { readdir, rm } from 'node:fs/promises';
import { reapDockerObjects } from './docker-reap.ts';
import { findCgroups, pidsIn, removeCgroup } from './linux/cgroups.ts';
import { deleteLink, links } from './linux/links.ts';
import { deleteNetns, listNetns } from './linux/netns.ts';
import { kill, listProcesses, waitForExit } from './linux/processes.ts';
import { cleanRemoteHosts } from './remote/remote-clean.ts';
import { DATA_DIR, LABEL_RUN, PREFIX, isRunId, runIdOf, runNames } from './run-id.ts';
import { isProcessAlive, readRunStates, removeRunState } from './run-state.ts';

export const LOCAL_DOCKER_SOCKET = '/var/run/docker.sock';

async function killAll(pids: number[]): Promise<void> {
  const mine = new Set([process.pid, process.ppid]);
  const targets = pids.filter((p) => !mine.has(p));
  for (const p of targets) kill(p, 'SIGKILL');
  await Promise.all(targets.map((p) => waitForExit(p, 5_000)));
}

export interface ReapReport {
  runs: string[];
  removed: string[];
}

/** Every run id that leaves a trace on this machine: state files, namespaces, data dirs, cgroups. */
async function tracedRunIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const s of await readRunStates()) ids.add(s.runId);
  for (const ns of await listNetns()) if (ns.startsWith(`${PREFIX}-`)) ids.add(runIdOf(ns) ?? '');
  for (const d of await readdir(DATA_DIR).catch(() => [])) ids.add(d);
  for (const cg of await findCgroups((n) => n.startsWith(`${PREFIX}-`))) ids.add(runIdOf(cg) ?? '');
  for (const l of await links().catch(() => [])) if (l.ifname.startsWith(PREFIX)) ids.add(runIdOf(l.ifname) ?? '');
  // processes that outlived their namespace still name it (the lab's probe servers do, on purpose)
  for (const p of await listProcesses())
    if (p.cmdline.includes(`/run/netns/${PREFIX}-`) || p.cmdline.includes(`${DATA_DIR}/`))
      ids.add(runIdOf(p.cmdline) ?? '');
  const docker = new Dockerode({ socketPath: LOCAL_DOCKER_SOCKET });
  const filters = JSON.stringify({ label: [LABEL_RUN] });
  for (const c of await docker.listContainers({ all: true, filters }).catch(() => []))
    ids.add(c.Labels[LABEL_RUN] ?? '');
  for (const n of await docker.listNetworks({ filters }).catch(() => [])) ids.add(n.Labels?.[LABEL_RUN] ?? '');
  ids.delete('');
  return new Set([...ids].filter(isRunId));
}

/** Removes everything one run made, whether or not it is still alive. */
export async function reapRun(runId: string, engineSocket?: string): Promise<string[]> {
  const removed: string[] = [];
  const n = runNames(runId);
  const procs = await listProcesses();
  const dataPids = procs
    .filter((p) => p.cmdline.includes(`${n.dataDir}/`) || p.cmdline.includes(`/run/netns/${PREFIX}-${runId}-`))
    .map((p) => p.pid);
  if (dataPids.length) removed.push(`${dataPids.length} process(es) of run ${runId}`);
  await killAll(dataPids);
  const cgroups = await findCgroups((name) => name.startsWith(`${PREFIX}-${runId}-`));
  for (const cg of cgroups) {
    const pids = await pidsIn(cg);
    if (pids.length) removed.push(`${pids.length} process(es) in cgroup ${cg}`);
    await killAll(pids);
  }
  for (const cg of cgroups) {
    await removeCgroup(cg);
    removed.push(`cgroup ${cg}`);
  }
  // the machine's engine, and the one a local lab found elsewhere (DOCKER_HOST, testcontainers' settings)
  const engines = new Set([LOCAL_DOCKER_SOCKET, ...(engineSocket ? [engineSocket] : [])]);
  for (const socketPath of engines) removed.push(...(await reapDockerObjects(new Dockerode({ socketPath }), runId)));
  for (const ns of await listNetns()) {
    if (ns.startsWith(`${PREFIX}-${runId}-`)) {
      const killed = await deleteNetns(ns);
      if (killed) removed.push(`${killed} process(es) in netns ${ns}`);
      removed.push(`netns ${ns}`);
    }
  }
  for (const l of await links().catch(() => [])) {
    if (l.ifname.startsWith(`${PREFIX}${runId}`)) {
      await deleteLink(l.ifname);
      removed.push(`link ${l.ifname}`);
    }
  }
  if ((await readdir(DATA_DIR).catch(() => [] as string[])).includes(runId)) {
    await rm(n.dataDir, { recursive: true, force: true });
    removed.push(`dir ${n.dataDir}`);
  }
  // iperf3 servers write their pid files to /tmp, which every namespace shares (lab/iperf3.ts)
  for (const f of await readdir('/tmp').catch(() => [] as string[]))
    if (f.startsWith(`${PREFIX}-iperf3-${runId}-`)) {
      await rm(`/tmp/${f}`, { force: true });
      removed.push(`file /tmp/${f}`);
    }
  await removeRunState(runId);
  return removed;
}

/**
 * `cnm-harness clean`: reaps every run whose owning process is gone (or every run, with `all`),
 * on the hosts of a remote run's lab file too; with `labFile`, also what dead runs left on its hosts.
 */
export async function cleanDeadRuns(options: { all?: boolean; labFile?: string } = {}): Promise<ReapReport> {
  const alive = new Set(
    (await readRunStates())
      .filter((s) => s.persistent || (s.pid !== process.pid && isProcessAlive(s.pid)))
      .map((s) => s.runId),
  );
  const report: ReapReport = { runs: [], removed: [] };
  const states = new Map((await readRunStates()).map((s) => [s.runId, s]));
  for (const id of await tracedRunIds()) {
    if (alive.has(id) && !options.all) continue;
    report.runs.push(id);
    // a remote run's hosts first: its state file (which names the lab file) goes with the local reap
    const labFile = states.get(id)?.labFile;
    if (labFile) {
      const remote = await cleanRemoteHosts(labFile, (other) => other !== id).catch((e: Error) => ({
        runs: [],
        removed: [`nothing on the hosts of ${labFile}: ${e.message}`],
      }));
      report.removed.push(...remote.removed);
    }
    report.removed.push(...(await reapRun(id, states.get(id)?.engineSocket)));
  }
  if (options.labFile) {
    const remote = await cleanRemoteHosts(options.labFile, (id) => alive.has(id) && !options.all);
    report.runs.push(...remote.runs.filter((r) => !report.runs.includes(r)));
    report.removed.push(...remote.removed);
  }
  return report;
}
