import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../../lab/input-error.ts';
import { EtcdClient } from '../../../lab/kv/etcd-client.ts';
import { run } from '../../../lab/linux/command.ts';
import { bridgePlugin } from './bridge-plugin.ts';
import { ipamPlugin } from './ipam-plugin.ts';
import { overlayPlugin } from './overlay-plugin.ts';
import { PluginStateFile } from './plugin-state.ts';
import { PluginServer, type CallLog } from './server.ts';

/** Plugin names Docker finds them by (`docker network create -d cnm-ref-bridge`, `--ipam-driver cnm-ref-ipam`). */
export const PLUGIN_NAMES = { bridge: 'cnm-ref-bridge', overlay: 'cnm-ref-overlay', ipam: 'cnm-ref-ipam' } as const;

export interface ServeOptions {
  /** Where the sockets go: Docker's plugin directory of the engine that is to use them. */
  dir: string;
  /** This host's name in the cluster (etcd keys, the overlay's namespaces). */
  hostName: string;
  /** Where egress leaves and VXLAN runs. */
  uplink: string;
  /** The uplink's address (published ports, VXLAN source); read from the uplink when absent. */
  address?: string;
  /** etcd's v3 JSON gateway on a unix socket: the overlay and IPAM plugins need it. */
  kvSocket?: string;
  kvPrefix: string;
  /** Where the plugins keep what they must know again after a crash; absent: in memory only. */
  stateDir?: string;
  log?: CallLog;
}

export interface ServingPlugins {
  sockets: Record<string, string>;
  close(): Promise<void>;
}

async function uplinkAddress(uplink: string): Promise<string> {
  const shown = await run(['ip', '-j', '-4', 'addr', 'show', 'dev', uplink]);
  if (shown.exitCode !== 0)
    throw new InputError(`--uplink ${uplink}: no such interface in this namespace (${shown.output.trim()})`);
  const addrs = JSON.parse(shown.output || '[]') as { addr_info?: { family: string; local: string }[] }[];
  const local = addrs[0]?.addr_info?.find((a) => a.family === 'inet')?.local;
  if (!local) throw new InputError(`--uplink ${uplink} has no IPv4 address: pass --address`);
  return local;
}

/** etcd's client socket must be there before anything is served: a clear error instead of ENOENT later. */
function checkKvSocket(path: string): void {
  let isSocket = false;
  try {
    isSocket = statSync(path).isSocket();
  } catch {
    // no such path: said below
  }
  if (!isSocket)
    throw new InputError(
      `--kv-socket ${path}: no socket there. Start etcd with --listen-client-urls unix://${path} (or point ` +
        '--kv-socket at its client socket).',
    );
}

function stateFile<T>(options: ServeOptions, plugin: string): PluginStateFile<T> | undefined {
  return options.stateDir ? new PluginStateFile<T>(join(options.stateDir, `${plugin}.json`)) : undefined;
}

/** Serves the reference plugins from the current network namespace: bridge always; overlay and IPAM with etcd. */
export async function servePlugins(options: ServeOptions): Promise<ServingPlugins> {
  if (options.kvSocket) checkKvSocket(options.kvSocket);
  await mkdir(options.dir, { recursive: true });
  const address = options.address ?? (await uplinkAddress(options.uplink));
  const servers: PluginServer[] = [];
  const closers: (() => Promise<void>)[] = [];
  const sockets: Record<string, string> = {};
  const listen = async (name: string, server: PluginServer) => {
    const socket = join(options.dir, `${name}.sock`);
    await server.listen(socket);
    servers.push(server);
    sockets[name] = socket;
  };
  try {
    await listen(
      PLUGIN_NAMES.bridge,
      new PluginServer(
        await bridgePlugin(
          { netns: undefined, uplink: options.uplink, publishAddress: address },
          stateFile(options, 'bridge'),
        ),
        options.log,
      ),
    );
    if (options.kvSocket) {
      const kv = new EtcdClient(options.kvSocket);
      const overlay = await overlayPlugin(
        { hostName: options.hostName, netns: undefined, underlayAddress: address, uplink: options.uplink },
        kv,
        options.kvPrefix,
        stateFile(options, 'overlay'),
      );
      closers.push(() => overlay.close());
      await listen(PLUGIN_NAMES.overlay, new PluginServer(overlay.service, options.log));
      await listen(
        PLUGIN_NAMES.ipam,
        new PluginServer(ipamPlugin(kv, options.kvPrefix, options.hostName), options.log),
      );
    }
  } catch (e) {
    for (const s of servers) await s.close();
    for (const c of closers) await c();
    throw e;
  }
  return {
    sockets,
    async close() {
      for (const s of servers) await s.close();
      for (const c of closers) await c();
    },
  };
}
