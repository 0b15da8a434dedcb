import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabHost } from '../../lab/host.ts';
import type { StartedLab } from '../../lab/lab.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import type { Driver, NetworkSpec, Profile, Sandbox, SandboxSpec, StartedDriver, StartedNetwork } from '../contract.ts';
import { manifestDriverId, ManifestError, type LoadedManifest } from '../manifest/manifest.ts';
import { Owned } from '../owned.ts';
import { NativeSandbox } from '../reference/sandbox.ts';
import { CniNetwork } from './cni-network.ts';
import { invokePlugin, type CniResult, type Conflist } from './cni-plugin.ts';

const DEFAULT_BIN_DIR = '/usr/lib/cni';
let seq = 0;

interface Attachment {
  network: CniNetwork;
  ifname: string;
  config: Conflist;
  result: CniResult;
  host: LabHost;
}

/**
 * CNI plugins judged by the same suites: native sandboxes (namespaces with the probe servers) on
 * the lab's hosts, wired by the conflist's plugin chain through CNI's contract — ADD (each plugin
 * given the previous one's result), CHECK right after, DEL in reverse order when the sandbox leaves.
 */
export class CniStartedDriver implements StartedDriver {
  readonly setupEvidence: CommandResult[] = [];
  private readonly sandboxes: Owned<NativeSandbox>;
  private readonly networks: Owned<CniNetwork>;
  private readonly attachments = new Map<string, Attachment[]>();

  constructor(
    readonly driver: Driver,
    readonly lab: StartedLab,
    private readonly template: Conflist,
    private readonly binDir: string,
  ) {
    this.sandboxes = new Owned(driver.id, 'sandbox');
    this.networks = new Owned(driver.id, 'network');
  }

  async createNetwork(spec: NetworkSpec): Promise<StartedNetwork> {
    const n = ++seq;
    const third = n % 250;
    const hasGateway = this.template.plugins.some(
      (p) => p.type === 'bridge' && (p.isGateway === true || p.isDefaultGateway === true),
    );
    const split = this.driver.profile.multiHost;
    return this.networks.add(
      new CniNetwork(
        `cnmh-${this.lab.runId}-${spec.name}${n}`,
        `cni-${this.lab.runId}-${n}`,
        `10.208.${third}.0/24`,
        hasGateway ? `10.208.${third}.1` : undefined,
        this.template,
        `cni${this.lab.runId.slice(0, 4)}-${n}`.slice(0, 15),
        split,
      ),
    );
  }

  private async add(sandbox: NativeSandbox, network: CniNetwork): Promise<void> {
    const list = this.attachments.get(sandbox.id) ?? [];
    const ifname = `eth${list.length}`;
    const host = sandbox.host;
    const config = network.configFor(
      this.lab.hosts.indexOf(host),
      this.lab.hosts.length,
      join(host.descriptor.dataDir!, 'cni-ipam'),
    );
    const inv = {
      containerId: sandbox.id,
      sandboxNetns: sandbox.netns,
      ifname,
      hostNetns: host.netns!,
      binDir: this.binDir,
    };
    let result: CniResult | undefined;
    const done: typeof config.plugins = [];
    try {
      for (const p of config.plugins) {
        const r = await invokePlugin(p, config, { ...inv, command: 'ADD' }, result);
        result = r.result ?? result;
        done.push(p);
      }
      if (config.cniVersion >= '0.4.0')
        for (const p of config.plugins) await invokePlugin(p, config, { ...inv, command: 'CHECK' }, result);
    } catch (e) {
      // what ADD made so far is taken back, as a runtime does on a failed ADD
      for (const p of done.reverse())
        await invokePlugin(p, config, { ...inv, command: 'DEL' }, result).catch(() => undefined);
      throw e;
    }
    const ip = result?.ips?.[0]?.address.split('/')[0];
    if (!ip) throw new Error(`CNI ADD on ${network.name} returned no address: ${JSON.stringify(result).slice(0, 300)}`);
    sandbox.setAddress(network, ip);
    list.push({ network, ifname, config, result: result!, host });
    this.attachments.set(sandbox.id, list);
  }

  private async del(sandbox: NativeSandbox, a: Attachment): Promise<void> {
    const inv = {
      containerId: sandbox.id,
      sandboxNetns: sandbox.netns,
      ifname: a.ifname,
      hostNetns: a.host.netns!,
      binDir: this.binDir,
      command: 'DEL' as const,
    };
    for (const p of [...a.config.plugins].reverse()) await invokePlugin(p, a.config, inv, a.result);
    sandbox.forgetAddress(a.network);
    this.attachments.set(
      sandbox.id,
      (this.attachments.get(sandbox.id) ?? []).filter((x) => x !== a),
    );
  }

  async createSandbox(spec: SandboxSpec): Promise<Sandbox> {
    if (spec.shareWith) throw new Error('CNI plugins wire one namespace per sandbox: container mode does not apply');
    if (spec.publish?.length)
      throw new Error(
        'published ports need the portmap plugin in the conflist and a runtime to pass port mappings: not supported',
      );
    const native = await NativeSandbox.create(`c${++seq}`, spec.host, 'own');
    const sandbox = new CniSandbox(native, () => this.release(native));
    this.sandboxes.add(native);
    if (spec.network) {
      try {
        await this.add(native, this.networks.get(spec.network));
      } catch (e) {
        await sandbox.remove();
        throw e;
      }
    }
    return sandbox;
  }

  /** A sandbox leaves as a runtime tears one down: DEL for each network, last first, then the namespace. */
  private async release(native: NativeSandbox): Promise<void> {
    for (const a of [...(this.attachments.get(native.id) ?? [])].reverse())
      await this.del(native, a).catch(() => undefined);
    this.attachments.delete(native.id);
    this.sandboxes.delete(native.id);
    await native.remove();
  }

  async connect(sandbox: Sandbox, network: StartedNetwork): Promise<void> {
    await this.add(this.sandboxes.get(sandbox), this.networks.get(network));
  }

  async disconnect(sandbox: Sandbox, network: StartedNetwork): Promise<void> {
    const s = this.sandboxes.get(sandbox);
    const a = (this.attachments.get(s.id) ?? []).find((x) => x.network === network);
    if (a) await this.del(s, a);
  }

  async stop(): Promise<void> {
    for (const s of this.sandboxes.values().reverse()) await this.release(s);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** A native sandbox whose removal goes through CNI DEL first. */
class CniSandbox implements Sandbox {
  constructor(
    private readonly native: NativeSandbox,
    private readonly release: () => Promise<void>,
  ) {}

  get name(): string {
    return this.native.name;
  }

  get dnsName(): string {
    return this.native.dnsName;
  }

  get id(): string {
    return this.native.id;
  }

  get host(): LabHost {
    return this.native.host;
  }

  address(network?: StartedNetwork): string | undefined {
    return this.native.address(network);
  }

  exec(argv: string[], timeoutMs?: number, signal?: AbortSignal): Promise<CommandResult> {
    return this.native.exec(argv, timeoutMs, signal);
  }

  async remove(): Promise<void> {
    await this.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}

export function readConflist(path: string): Conflist {
  let c: Conflist;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as Conflist;
  } catch (e) {
    throw new ManifestError(`cannot read conflist ${path}: ${(e as Error).message}`);
  }
  if (
    !c ||
    typeof c.cniVersion !== 'string' ||
    !Array.isArray(c.plugins) ||
    !c.plugins.length ||
    c.plugins.some((p) => typeof p?.type !== 'string')
  ) {
    throw new ManifestError(`conflist ${path}: expected {cniVersion, name, plugins: [{type, …}, …]}`);
  }
  return c;
}

/** What a conflist implies when no manifest says more: the first plugin's type decides. */
export function profileOfConflist(c: Conflist): Profile {
  const main = c.plugins[0]!;
  const masq = main.ipMasq === true;
  const underlay = ['macvlan', 'ipvlan'].includes(main.type);
  return { mode: 'bridge', scope: 'local', isolated: true, nat: masq, dns: false, multiHost: underlay };
}

function cniDriver(id: string, description: string, profile: Profile, conflist: Conflist, binDir: string): Driver {
  const driver: Driver = {
    id,
    implementation: `cni:${conflist.plugins.map((p) => p.type).join('+')}`,
    description,
    profile,
    unsupportedReason: (lab) => {
      if (lab.kind !== 'netns')
        return "CNI plugins are run on the netns lab's hosts (never in the machine's own namespace)";
      const missing = conflist.plugins.map((p) => p.type).filter((t) => !existsSync(`${binDir}/${t}`));
      return missing.length
        ? `CNI plugin binaries missing in ${binDir}: ${missing.join(', ')} (Debian: apt-get install ` +
            `containernetworking-plugins)`
        : undefined;
    },
    start: async (lab) => new CniStartedDriver(driver, lab, conflist, binDir),
  };
  return driver;
}

/** `cni:<file.conflist>`: the profile follows from the conflist's first plugin. */
export function cniDriverFromConflist(path: string): Driver {
  const conflist = readConflist(path);
  return cniDriver(
    `cni:${conflist.name}`,
    `CNI ${conflist.plugins.map((p) => p.type).join(' → ')} (${path})`,
    profileOfConflist(conflist),
    conflist,
    DEFAULT_BIN_DIR,
  );
}

/** A CNI manifest: its conflist (relative to the manifest) and its claimed profile. */
export function cniDriverFromManifest(loaded: LoadedManifest): Driver {
  const m = loaded.manifest;
  const conflist = readConflist(resolve(loaded.dir, m.cni!.conflist));
  return cniDriver(
    manifestDriverId(m),
    m.description ?? `CNI ${conflist.plugins.map((p) => p.type).join(' → ')}`,
    m.profile,
    conflist,
    m.cni!.binDir ?? DEFAULT_BIN_DIR,
  );
}
