import { spawn } from 'node:child_process';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { netnsPath } from '../linux/command.ts';
import { addNetns } from '../linux/netns.ts';
import { kill, processesInNetns, waitForExit } from '../linux/processes.ts';
import { PREFIX, runNames } from '../run-id.ts';
import type { Underlay } from '../underlay.ts';
import { EtcdClient } from './etcd-client.ts';

export const KV_ADDRESS = '198.18.0.2';

/** Where the lab's etcd answers: a URL for lab hosts (on the underlay), a unix socket for the harness. */
export interface KvDescriptor {
  netns: string;
  url: string;
  socketPath: string;
  /** Every key of this run lives under it. */
  prefix: string;
}

/**
 * A real etcd (v3 API, v2 enabled for Docker 20.10's classic overlay) in a namespace of its own on
 * the underlay. It dies with that namespace when the lab goes down.
 */
export async function startEtcd(runId: string, underlay: Underlay): Promise<KvDescriptor> {
  const n = runNames(runId);
  const netns = n.netns('kv');
  const dir = `${n.dataDir}/kv`;
  await mkdir(dir, { recursive: true });
  await addNetns(netns);
  await underlay.plug('kv', netns, KV_ADDRESS);
  const url = `http://${KV_ADDRESS}:2379`;
  const kv: KvDescriptor = { netns, url, socketPath: `${dir}/etcd:2379`, prefix: `/${PREFIX}-${runId}/` };
  await launchEtcd(kv);
  return kv;
}

/** etcd's own directory (data, log, the unix listener): where its client socket is. */
function etcdDir(kv: KvDescriptor): string {
  return dirname(kv.socketPath);
}

/** Starts etcd in the lab's KV namespace (again, after `stopEtcd`: same data) and waits until it answers. */
export async function launchEtcd(kv: KvDescriptor): Promise<void> {
  const dir = etcdDir(kv);
  // a killed etcd leaves its unix listener's file behind, and a new one would not bind over it
  await rm(kv.socketPath, { force: true });
  const log = await open(`${dir}/etcd.log`, 'a');
  // etcd names a unix listener `unix://<name>:<port>` and creates it in its working directory
  const child = spawn(
    'nsenter',
    [
      `--net=${netnsPath(kv.netns)}`,
      'etcd',
      `--name=${kv.netns}`,
      `--data-dir=${dir}/data`,
      `--listen-client-urls=${kv.url},unix://etcd:2379`,
      `--advertise-client-urls=${kv.url}`,
      '--listen-peer-urls=http://127.0.0.1:2380',
      `--initial-advertise-peer-urls=http://127.0.0.1:2380`,
      `--initial-cluster=${kv.netns}=http://127.0.0.1:2380`,
      '--enable-v2=true',
      '--log-level=warn',
    ],
    { cwd: dir, detached: true, stdio: ['ignore', log.fd, log.fd] },
  );
  child.unref();
  await log.close();
  const client = new EtcdClient(kv.socketPath, 1000);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (
      await client.get('/ready').then(
        () => true,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`etcd did not start; see ${dir}/etcd.log`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Stops the lab's etcd (SIGKILL: an outage, not a shutdown) and waits until it is gone; its data
 * stays for `launchEtcd`. Returns the pids it stopped.
 */
export async function stopEtcd(kv: KvDescriptor): Promise<number[]> {
  const pids = await processesInNetns(netnsPath(kv.netns));
  for (const pid of pids) kill(pid, 'SIGKILL');
  for (const pid of pids) await waitForExit(pid, 10_000);
  return pids;
}
