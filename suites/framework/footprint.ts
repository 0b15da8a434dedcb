import { isEngineState } from '../../lab/engine-state.ts';
import type { LabHost } from '../../lab/host.ts';
import { run } from '../../lab/linux/command.ts';
import { savedRules } from '../../lab/linux/iptables.ts';
import { listNetns } from '../../lab/linux/netns.ts';
import type { CheckContext } from './context.ts';
import { LabFault } from './lab-fault.ts';

/**
 * What a network leaves on a host, as comparable lines: links (name and kind) in the host's
 * namespace, its iptables rules and the namespaces named after it. Compared before and after a lifecycle.
 */
export async function hostFootprint(host: LabHost): Promise<string[]> {
  return namespaceFootprint(host.netns, `${host.name}-`);
}

/**
 * Links and iptables rules of a namespace (undefined = the root one), and the named namespaces starting with
 * `netnsPrefix`.
 */
export async function namespaceFootprint(netns: string | undefined, netnsPrefix = ''): Promise<string[]> {
  const links = await run(['ip', '-d', '-j', 'link', 'show'], { netns });
  const rules = await savedRules(netns);
  const lines: string[] = [];
  for (const l of JSON.parse(links.output || '[]') as {
    ifname: string;
    master?: string;
    linkinfo?: { info_kind?: string };
  }[]) {
    lines.push(`link ${l.ifname} ${l.linkinfo?.info_kind ?? ''}${l.master ? ` master ${l.master}` : ''}`.trim());
  }
  lines.push(...rules.map((r) => `iptables ${r}`));
  for (const ns of await listNetns()) if (ns.startsWith(netnsPrefix)) lines.push(`netns ${ns}`);
  return lines.filter((l) => !isEngineState(l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1))).sort();
}

/**
 * The lab etcd's keys as comparable lines: v3 keys under the run's prefix (the reference overlay,
 * its plugin and IPAM) and every v2 key (Docker 20.10's classic overlay writes through v2; the lab's
 * etcd serves this run only). An etcd that does not answer is a lab fault, never "no keys".
 */
export async function kvFootprint(ctx: CheckContext): Promise<string[]> {
  const kv = ctx.lab.kv();
  if (!kv) return [];
  try {
    const [v3, v2] = await Promise.all([kv.list(ctx.lab.descriptor.kv!.prefix), kv.listV2()]);
    const lines = [...v3.map((k) => `kv ${k.key}`), ...v2.map((k) => `kv2 ${k}`)];
    return lines.filter((l) => !isEngineState(l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1))).sort();
  } catch (e) {
    throw new LabFault(
      'lab etcd',
      `the lab's etcd did not answer: ${e instanceof Error ? e.message : String(e)}`,
      undefined,
      {
        cause: e,
      },
    );
  }
}

/** Lines in `after` not in `before`, and lines gone from `before`: both mean the lifecycle left a trace. */
export function footprintDiff(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { added: after.filter((l) => !b.has(l)), removed: before.filter((l) => !a.has(l)) };
}
