import { CommandError, mustRun, run } from './command.ts';

export type Table = 'filter' | 'nat' | 'raw';

/** iptables in a namespace; `-w` waits for the xtables lock instead of failing when Docker holds it. */
export function iptables(netns: string | undefined, table: Table, args: string[], must = true) {
  const argv = ['iptables', '-w', '30', '-t', table, ...args];
  return must ? mustRun(argv, { netns }) : run(argv, { netns });
}

/**
 * A chain of the harness's own, hooked at the top of a built-in chain. Removing it removes the
 * hook, its rules and the chain: nothing of it is left in the table.
 */
export class OwnChain {
  constructor(
    readonly netns: string | undefined,
    readonly table: Table,
    readonly name: string,
    readonly hooks: string[],
  ) {}

  async create(rules: string[][]): Promise<void> {
    await iptables(this.netns, this.table, ['-N', this.name]);
    for (const rule of rules) await iptables(this.netns, this.table, ['-A', this.name, ...rule]);
    for (const hook of this.hooks) await iptables(this.netns, this.table, ['-I', hook, '1', '-j', this.name]);
  }

  /** Inserts a rule at the top of the chain (published ports go before the catch-all drops). */
  async insert(rule: string[]): Promise<void> {
    await iptables(this.netns, this.table, ['-I', this.name, '1', ...rule]);
  }

  /** Deletes one rule by its spec; a rule that is not there is not an error. */
  async delete(rule: string[]): Promise<void> {
    await iptables(this.netns, this.table, ['-D', this.name, ...rule], false);
  }

  async remove(): Promise<void> {
    for (const hook of this.hooks) {
      // a hook may have been inserted more than once by a retry; remove until none is left
      while ((await iptables(this.netns, this.table, ['-D', hook, '-j', this.name], false)).exitCode === 0);
    }
    await iptables(this.netns, this.table, ['-F', this.name], false);
    await iptables(this.netns, this.table, ['-X', this.name], false);
  }
}

/**
 * iptables-save's output as comparable lines, each with its table: rules (`filter: -A …`), chains of
 * one's own (`nat: :CNMH-X`) and built-in chains whose policy is not ACCEPT. Counters, comments and
 * the table framing are left out: a table the kernel instantiates on first use, still empty,
 * changes nothing that matters.
 */
export function comparableRules(saved: string): string[] {
  const lines: string[] = [];
  let table = '';
  for (const raw of saved.split('\n')) {
    const line = raw.replace(/\[\d+:\d+\]/g, '').trim();
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith('-A ')) lines.push(`${table}: ${line}`);
    else if (line.startsWith(':')) {
      const [chain, policy] = line.slice(1).split(/\s+/);
      if (policy === '-') lines.push(`${table}: :${chain}`);
      else if (policy && policy !== 'ACCEPT') lines.push(`${table}: :${chain} ${policy}`);
    }
  }
  return lines;
}

/**
 * The rules of a namespace as comparable lines (`iptables-save`, or `ip6tables-save` with `tool`),
 * which must come back as they were. A tool that fails throws: "no rules" is a claim, never the
 * reading of an error.
 */
export async function savedRules(
  netns?: string,
  tool: 'iptables-save' | 'ip6tables-save' = 'iptables-save',
): Promise<string[]> {
  const r = await run([tool], { netns });
  if (r.exitCode !== 0) throw new CommandError(r);
  return comparableRules(r.output);
}
