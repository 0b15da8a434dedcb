import Dockerode from 'dockerode';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { reapDockerObjects } from './docker-reap.ts';
import { LabHost, type HostDescriptor } from './host.ts';
import { InputError } from './input-error.ts';
import { EtcdClient } from './kv/etcd-client.ts';
import { startEtcd, type KvDescriptor } from './kv/etcd-server.ts';
import { deleteLink } from './linux/links.ts';
import { deleteNetns, listNetns } from './linux/netns.ts';
import { discoverLocalEngine, type LocalEngine } from './local-engine.ts';
import { netnsHostName, startNetnsHost, stopNetnsHost } from './netns-host.ts';
import { buildProbeArchive, ensureProbeImage, probeImageRef } from './probe-image.ts';
import { LOCAL_DOCKER_SOCKET, reapRun } from './reaper.ts';
import { connectRemoteHosts } from './remote/remote-lab.ts';
import { newRunId } from './run-id.ts';
import { writeRunState, type RunState } from './run-state.ts';
import { Underlay, type UnderlayDescriptor } from './underlay.ts';

export type LabKind = 'netns' | 'local' | 'remote';
export const LAB_KINDS: readonly LabKind[] = ['netns', 'local', 'remote'];

export interface LabSpec {
  kind: LabKind;
  /** Number of hosts (netns only; the local lab is one host, a remote lab the lab file's). */
  hosts: number;
  /** The lab file of a remote lab (fixtures/schemas/lab-file.schema.json). */
  labFile?: string;
  /** A remote lab whose hosts are in a swarm already: use it as it is (never changed). */
  useExistingSwarm?: boolean;
  runId?: string;
  persistent?: boolean;
}

/**
 * What a driver needs to know of a lab to say whether it can run there. A started lab has this
 * shape, and so has a lab spec before anything is brought up (`labShape`), so a driver that cannot
 * run is refused before a lab is made for it.
 */
export interface LabShape {
  readonly kind: LabKind;
  readonly hostCount: number;
  /** The lab runs an etcd (netns labs). */
  readonly hasKv: boolean;
}

export function labShape(spec: Pick<LabSpec, 'kind' | 'hosts'>): LabShape {
  return { kind: spec.kind, hostCount: spec.kind === 'local' ? 1 : spec.hosts, hasKv: spec.kind === 'netns' };
}

/** A running lab as plain data, handed to test workers. */
export interface LabDescriptor {
  runId: string;
  kind: LabKind;
  hosts: HostDescriptor[];
  underlay?: UnderlayDescriptor;
  /** The lab's etcd (netns labs). */
  kv?: KvDescriptor;
  /** Remote labs: the hosts were in a swarm when the lab came up and the lab file says to use it. */
  existingSwarm?: boolean;
  /** The local lab's engine, as testcontainers found it. */
  localEngine?: LocalEngine;
  probeImage: string;
  upMs: number;
}

/** Host indices taken by hosts of their own in this process (hostsOfItsOwn), per run. */
const takenIndices = new Map<string, Set<number>>();

export class StartedLab implements AsyncDisposable, LabShape {
  readonly hosts: LabHost[];
  private stopped = false;

  /** `release`: for a lab of hosts of its own (hostsOfItsOwn), what its `down` does instead of reaping the run. */
  private constructor(
    readonly descriptor: LabDescriptor,
    private readonly release?: () => Promise<void>,
  ) {
    this.hosts = descriptor.hosts.map((h) => new LabHost(h));
  }

  /** Whether these hosts were made for one driver beside the lab's own (hostsOfItsOwn): gone when it is done. */
  get temporary(): boolean {
    return this.release !== undefined;
  }

  /**
   * The same lab (underlay, etcd, outside peer) with `count` more netns hosts of its own, for a driver
   * that restarts engines (the classic KV overlay): it restarts these instead of the lab's, so the
   * drivers on the lab's engines need not wait for it, and its VXLAN devices live in namespaces of
   * their own. `down` stops their engines and removes them; the lab's own hosts are untouched.
   */
  async hostsOfItsOwn(count: number): Promise<StartedLab> {
    if (this.kind !== 'netns' || !this.underlay) throw new Error('hosts of its own need the netns lab');
    const runId = this.runId;
    const taken = takenIndices.get(runId) ?? new Set<number>();
    takenIndices.set(runId, taken);
    const present = new Set(await listNetns());
    const indices: number[] = [];
    // a free index: not the lab's, not another process's (its namespace exists), not this process's
    for (let i = this.descriptor.hosts.length; indices.length < count; i++)
      if (!taken.has(i) && !present.has(netnsHostName(runId, i))) indices.push(i);
    for (const i of indices) taken.add(i);
    const underlay = Underlay.attach(runId, this.underlay);
    const hosts: HostDescriptor[] = [];
    const release = async () => {
      await Promise.all(hosts.map((h) => stopNetnsHost(h)));
      // the switch's end of each host's cable now: a deleted namespace takes its veth with it only
      // when the kernel gets round to it, and the port's name may be plugged again at once
      await Promise.all(hosts.map((h) => deleteLink(h.underlayPort!, this.underlay!.netns)));
      await Promise.all(hosts.map((h) => deleteNetns(h.netns!)));
      await Promise.all(hosts.map((h) => rm(h.dataDir!, { recursive: true, force: true })));
      for (const i of indices) taken.delete(i);
    };
    try {
      hosts.push(...(await Promise.all(indices.map((i) => startNetnsHost(runId, i, underlay)))));
      const archive = await buildProbeArchive();
      await Promise.all(hosts.map((h) => ensureProbeImage(new Dockerode({ socketPath: h.socketPath }), archive)));
    } catch (e) {
      await release().catch(() => undefined);
      throw e;
    }
    return new StartedLab({ ...this.descriptor, hosts }, release);
  }

  get runId(): string {
    return this.descriptor.runId;
  }

  get kind(): LabKind {
    return this.descriptor.kind;
  }

  get hostCount(): number {
    return this.hosts.length;
  }

  get hasKv(): boolean {
    return this.descriptor.kv !== undefined;
  }

  get existingSwarm(): boolean {
    return this.descriptor.existingSwarm ?? false;
  }

  get probeImage(): string {
    return this.descriptor.probeImage;
  }

  get underlay(): UnderlayDescriptor | undefined {
    return this.descriptor.underlay;
  }

  /** A client for the lab's etcd; undefined on the local lab. */
  kv(): EtcdClient | undefined {
    return this.descriptor.kv ? new EtcdClient(this.descriptor.kv.socketPath) : undefined;
  }

  /** Re-opens a lab brought up by another process (a vitest global setup, `lab up`). */
  static attach(descriptor: LabDescriptor): StartedLab {
    return new StartedLab(descriptor);
  }

  static async up(spec: LabSpec, progress: (msg: string) => void = () => undefined): Promise<StartedLab> {
    const started = Date.now();
    const runId = spec.runId ?? newRunId();
    const hostCount = spec.kind === 'local' ? 1 : spec.hosts;
    // the state file comes first: whatever follows is reapable by `clean` if this process dies
    const startedAt = new Date().toISOString();
    const state = (more: Partial<RunState> = {}) =>
      writeRunState({
        runId,
        pid: process.pid,
        startedAt,
        kind: spec.kind,
        hosts: [],
        persistent: spec.persistent,
        ...(spec.labFile ? { labFile: resolve(spec.labFile) } : {}),
        ...more,
      });
    await state();
    try {
      const archive = await buildProbeArchive();
      if (spec.kind === 'remote') {
        if (!spec.labFile)
          throw new InputError('--lab remote needs --lab-file FILE (fixtures/schemas/lab-file.schema.json)');
        const hosts = await connectRemoteHosts(runId, spec.labFile, archive, progress);
        const inSwarm = hosts.some((h) => h.swarm === 'active');
        return new StartedLab({
          runId,
          kind: 'remote',
          hosts,
          ...(inSwarm && spec.useExistingSwarm ? { existingSwarm: true } : {}),
          probeImage: probeImageRef(archive),
          upMs: Date.now() - started,
        });
      }
      if (spec.kind === 'local') {
        const engine = await discoverLocalEngine();
        if (engine.socketPath !== LOCAL_DOCKER_SOCKET)
          await state({ hosts: ['local'], engineSocket: engine.socketPath });
        const local: HostDescriptor = {
          name: 'local',
          kind: 'local',
          socketPath: engine.socketPath,
          pluginDir: '/run/docker/plugins',
        };
        const probeImage = await ensureProbeImage(new Dockerode({ socketPath: engine.socketPath }), archive);
        return new StartedLab({
          runId,
          kind: 'local',
          hosts: [local],
          localEngine: engine,
          probeImage,
          upMs: Date.now() - started,
        });
      }
      progress(`lab ${runId}: underlay and ${hostCount} host(s)`);
      const underlay = await Underlay.up(runId);
      const [kv, hosts] = await Promise.all([
        startEtcd(runId, underlay),
        Promise.all(Array.from({ length: hostCount }, (_, i) => startNetnsHost(runId, i, underlay))),
      ]);
      await state({ hosts: hosts.map((h) => h.name) });
      const refs = await Promise.all(
        hosts.map((h) => ensureProbeImage(new Dockerode({ socketPath: h.socketPath }), archive)),
      );
      return new StartedLab({
        runId,
        kind: 'netns',
        hosts,
        underlay: underlay.descriptor,
        kv,
        probeImage: refs[0]!,
        upMs: Date.now() - started,
      });
    } catch (e) {
      await reapRun(runId);
      throw e;
    }
  }

  /**
   * Tears the lab down: engines stopped gracefully, then everything under the run id reaped (underlay, etcd, state file
   * included).
   */
  async down(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.release) return this.release();
    if (this.kind === 'netns') {
      await Promise.all(this.descriptor.hosts.map((h) => stopNetnsHost(h)));
    }
    if (this.kind === 'remote') await Promise.all(this.hosts.map((h) => reapDockerObjects(h.docker, this.runId)));
    await reapRun(this.runId, this.descriptor.localEngine?.socketPath);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
