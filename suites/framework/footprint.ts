import { isEngineState } from '../../lab/engine-state.ts';
import type { LabHost } from '../../lab/host.ts';
import { run } from '../../lab/linux/command.ts';
import { savedRules } from '../../lab/linux/iptables.ts';
import { listNetns } from '../../lab/linux/netns.ts';
import type { CheckContext } from './context.ts';

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

export async function kvFootprint(ctx: CheckContext): Promise<string[]> {
  const kv = ctx.lab.kv();
  if (!kv) return [];
  return (await kv.list(ctx.lab.descriptor.kv!.prefix)).map((k) => `kv ${k.key}`).sort();
}

/** Lines in `after` not in `before`, and lines gone from `before`: both mean the lifecycle left a trace. */
export function footprintDiff(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { added: after.filter((l) => !b.has(l)), removed: before.filter((l) => !a.has(l)) };
}
