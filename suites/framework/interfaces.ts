import type { Sandbox } from '../../drivers/contract.ts';
import type { LabHost } from '../../lab/host.ts';
import type { IpAddr } from '../../lab/linux/links.ts';
import type { CheckContext } from './context.ts';

/** An interface reduced to what identity checks compare. */
export interface InterfaceView {
  name: string;
  up: boolean;
  mtu?: number;
  mac?: string;
  addresses: string[];
}

function view(addrs: IpAddr[]): InterfaceView[] {
  return addrs
    .map((a) => ({
      name: a.ifname,
      up: (a.flags ?? []).includes('UP'),
      ...(a.mtu ? { mtu: a.mtu } : {}),
      ...(a.address ? { mac: a.address } : {}),
      addresses: a.addr_info.map((i) => `${i.local}/${i.prefixlen}`).sort(),
    }))
    .sort((x, y) => x.name.localeCompare(y.name));
}

function parse(output: string): IpAddr[] {
  try {
    return JSON.parse(output) as IpAddr[];
  } catch {
    throw new Error(`'ip -j addr' did not print JSON: ${output.slice(0, 200)}`);
  }
}

/** `ip -j addr` inside a sandbox (the probe image carries iproute2). */
export async function sandboxInterfaces(ctx: CheckContext, sandbox: Sandbox): Promise<InterfaceView[]> {
  const r = ctx.record(sandbox.host.name, await sandbox.exec(['ip', '-j', 'addr', 'show']));
  if (r.exitCode !== 0) throw new Error(`ip addr failed in ${sandbox.name}: ${r.output}`);
  return view(parse(r.output));
}

export async function hostInterfaces(ctx: CheckContext, host: LabHost): Promise<InterfaceView[]> {
  const r = await ctx.onHost(host, ['ip', '-j', 'addr', 'show']);
  if (r.exitCode !== 0) throw new Error(`ip addr failed on ${host.name}: ${r.output}`);
  return view(parse(r.output));
}

/** Differences between two interface lists, in words; empty when they are the same. */
export function interfaceDifferences(a: InterfaceView[], b: InterfaceView[], labels: [string, string]): string[] {
  const key = (i: InterfaceView) => `${i.name} ${i.mac ?? ''} ${i.addresses.join(',')}`;
  const ka = new Set(a.map(key));
  const kb = new Set(b.map(key));
  return [
    ...[...ka].filter((k) => !kb.has(k)).map((k) => `only in ${labels[0]}: ${k}`),
    ...[...kb].filter((k) => !ka.has(k)).map((k) => `only in ${labels[1]}: ${k}`),
  ];
}
