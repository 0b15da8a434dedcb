import { join, resolve } from 'node:path';
import type { LabHost } from '../../lab/host.ts';
import type { StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import { execWithHostTools } from '../../lab/remote/engine-namespaces.ts';
import type { Driver, RemotePluginTarget } from '../contract.ts';
import { dockerDriver } from '../docker/docker-driver.ts';
import { formSwarm } from '../docker/swarm.ts';
import { startManagedPlugin } from '../remote/managed-plugin.ts';
import { resolvePluginAddress, type PluginAddress } from '../remote/plugin-client.ts';
import { defaultPluginBinds, startPluginContainer } from '../remote/plugin-container.ts';
import { HARNESS_COMMAND, type PluginLaunch } from '../remote/plugin-process.ts';
import type { PluginProcess } from '../remote/plugin-ready.ts';
import { LaunchedPlugins } from '../remote/plugin-restart.ts';
import { dockerNetworkingOf, manifestDriverId, type LoadedManifest } from './manifest.ts';

/** A launch command with its placeholders filled in for one host; `{harness}` is node plus this CLI (two arguments). */
export function launchArgv(command: string[], values: Record<string, string>): string[] {
  return command.flatMap((arg) =>
    arg === '{harness}' ? HARNESS_COMMAND : [arg.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m)],
  );
}

function placeholders(lab: StartedLab, host: LabHost, loaded: LoadedManifest): Record<string, string> {
  return {
    pluginDir: host.descriptor.pluginDir,
    hostName: host.name,
    underlayAddress: host.descriptor.underlayAddress ?? '',
    kvSocket: lab.descriptor.kv?.socketPath ?? '',
    kvPrefix: lab.descriptor.kv?.prefix ?? '',
    manifestDir: loaded.dir,
    node: process.execPath,
    // TypeScript plugins (the test fixtures) run under node --import {tsx}
    tsx: import.meta.resolve('tsx/esm'),
  };
}

/**
 * A plugin the user runs on a remote host is there before the run uses it: its socket or spec file
 * as the host's engine sees it (read through the run's helper), or its managed plugin enabled.
 */
async function pluginOnRemoteHost(
  host: LabHost,
  r: { plugin: string; socket?: string; spec?: string; managed?: string },
): Promise<CommandResult> {
  if (r.managed) {
    const info = (await host.docker
      .getPlugin(r.managed, r.managed)
      .inspect()
      .catch(() => undefined)) as { Enabled?: boolean } | undefined;
    if (!info?.Enabled)
      throw new Error(
        `managed plugin ${r.managed} is ${info ? 'disabled' : 'not installed'} on ${host.name}. Fix: docker plugin ` +
          `install/enable it there`,
      );
    return {
      command: `[${host.name}] docker plugin inspect ${r.managed}`,
      exitCode: 0,
      output: 'enabled',
      timedOut: false,
    };
  }
  const path = (r.socket ?? r.spec)!;
  const seen = await execWithHostTools(host, ['test', r.socket ? '-S' : '-f', path]);
  if (seen.exitCode !== 0)
    throw new Error(
      `plugin ${r.plugin}: no ${r.socket ? 'socket' : 'spec file'} ${path} on ${host.name}. Fix: start the plugin ` +
        'there (the harness never starts plugins on remote hosts)',
    );
  return { ...seen, output: `${path} present` };
}

function describeAddress(a: PluginAddress): string {
  return 'socketPath' in a ? a.socketPath : `tcp://${a.host}:${a.port}`;
}

/**
 * `remote:<manifest>`: any libnetwork remote plugin, driven through Docker on the lab's hosts and
 * reached directly by the protocol suite. On the netns lab the harness starts it (the manifest's
 * launch command) inside every host's namespace; on `--lab local` it talks to one already running
 * for the machine's engine (socket, spec file or TCP address on loopback).
 */
export function remoteDriver(loaded: LoadedManifest): Driver {
  const m = loaded.manifest;
  const r = m.remote!;
  const net = m.network ?? {};
  // a launch command (not a package or an image): a process per host, which the harness can restart
  const launchesProcess = Boolean(r.launch && !r.package && !r.container);
  return dockerDriver({
    id: manifestDriverId(m),
    implementation: `remote:${r.plugin}`,
    description: m.description ?? `remote plugin ${r.plugin} (manifest ${loaded.path})`,
    profile: { ...m.profile, remote: true },
    // a managed plugin is known to its engine by name and tag
    networking: dockerNetworkingOf(m, r.package ? `${r.plugin}:latest` : r.plugin),
    engines: net.spansHosts === 'swarm' ? 'swarm' : 'use',
    restartablePlugin: launchesProcess,
    unsupportedReason: (lab) => {
      if (lab.kind === 'remote')
        return r.socket || r.spec || r.managed
          ? undefined
          : 'on --lab remote the harness starts no plugin on the hosts: run it on each host and give the ' +
              "manifest its socket or spec file (as the hosts' engines see it) or its managed plugin name";
      if (r.launch || r.container || r.package)
        return lab.kind === 'netns'
          ? undefined
          : 'the manifest starts the plugin on netns lab hosts; on --lab local start it yourself and give its ' +
              'socket, spec or tcp address';
      if (lab.kind !== 'local')
        return (
          "an already running plugin serves the machine's engine: use --lab local, or give the manifest a launch " +
          'command'
        );
      if (r.managed)
        return (
          'managed plugins are reached through the engine only; the protocol suite needs their socket: give it as ' +
          'socket'
        );
      return undefined;
    },
    async setup(lab) {
      const swarm = net.spansHosts === 'swarm' ? await formSwarm(lab) : undefined;
      const target = (address: RemotePluginTarget['address'], host?: LabHost): RemotePluginTarget => ({
        name: r.plugin,
        address,
        activate: r.activate ?? !(r.managed || r.package),
        ...(host ? { netns: host.netns, host } : {}),
        ...(r.mtuOption ? { mtuOption: r.mtuOption } : {}),
      });
      if (lab.kind === 'remote') {
        const evidence = await Promise.all(lab.hosts.map((h) => pluginOnRemoteHost(h, r)));
        return {
          evidence: [...(swarm?.evidence ?? []), ...evidence],
          teardown: async () => swarm?.teardown(),
        };
      }
      if (!r.launch && !r.container && !r.package) {
        const where = r.socket ?? r.spec ?? r.tcp!;
        return {
          evidence: swarm?.evidence ?? [],
          teardown: async () => swarm?.teardown(),
          remotePlugin: target(await resolvePluginAddress(where), lab.hosts[0]),
        };
      }
      const processes: PluginProcess[] = [];
      let launched: LaunchedPlugins | undefined;
      const logFileOf = (host: LabHost) => join(host.descriptor.dataDir!, `plugin-${m.name}.log`);
      const start = (host: LabHost): Promise<PluginProcess> => {
        const logFile = logFileOf(host);
        const common = { host, name: r.plugin, logFile, activate: r.activate ?? true };
        const p = r.package;
        if (p)
          return startManagedPlugin({
            host,
            name: r.plugin,
            logFile,
            source: resolve(loaded.dir, p.source),
            ...(p.readySeconds ? { readySeconds: p.readySeconds } : {}),
          });
        const c = r.container!;
        const fill = (arg: string) => arg.replace('{dockerSocket}', host.descriptor.socketPath!);
        return startPluginContainer({
          ...common,
          runId: lab.runId,
          image: c.image,
          ...(c.archive ? { archive: resolve(loaded.dir, c.archive) } : {}),
          ...(c.build ? { build: resolve(loaded.dir, c.build) } : {}),
          ...(c.command ? { command: c.command } : {}),
          ...(c.env ? { env: c.env } : {}),
          ...(c.readySeconds ? { readySeconds: c.readySeconds } : {}),
          privileged: c.privileged ?? true,
          binds: c.binds?.map(fill) ?? defaultPluginBinds(host),
        });
      };
      const launchOf = (host: LabHost): PluginLaunch => {
        const values = placeholders(lab, host, loaded);
        const named = r.launch!.sockets?.map((s) => launchArgv([s], values)[0]!);
        return {
          host,
          name: r.plugin,
          logFile: logFileOf(host),
          activate: r.activate ?? true,
          argv: launchArgv(r.launch!.command, values),
          ...(named ? { sockets: named } : {}),
          ...(r.launch!.readySeconds ? { readySeconds: r.launch!.readySeconds } : {}),
        };
      };
      try {
        if (launchesProcess) {
          launched = await LaunchedPlugins.start(lab.hosts.map(launchOf));
          processes.push(...launched.processes);
        } else for (const host of lab.hosts) processes.push(await start(host));
      } catch (e) {
        for (const p of processes) await p.stop();
        await swarm?.teardown();
        throw e;
      }
      const first = lab.hosts[0]!;
      return {
        evidence: [
          ...(swarm?.evidence ?? []),
          ...processes.map((p) => ({
            command: `[${p.host.name}] start plugin ${r.plugin}`,
            exitCode: 0,
            output: `answering on ${describeAddress(p.address)}`,
            timedOut: false,
          })),
        ],
        teardown: async () => {
          if (launched) await launched.stop();
          else for (const p of processes) await p.stop();
          await swarm?.teardown();
        },
        remotePlugin: target(launched?.processes[0]?.address ?? processes[0]!.address, first),
        ...(launched ? { restartPlugin: (host: LabHost) => launched.restart(host) } : {}),
      };
    },
  });
}
