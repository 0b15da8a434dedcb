import { execa } from 'execa';
import { netnsPath, type CommandResult } from '../../lab/linux/command.ts';

/** One plugin's configuration in a conflist (`type` names the binary). */
export interface PluginConf {
  type: string;
  [key: string]: unknown;
}

export interface Conflist {
  cniVersion: string;
  name: string;
  plugins: PluginConf[];
}

/** What ADD returns (CNI spec 0.4/1.0 result): the interfaces and addresses it made. */
export interface CniResult {
  cniVersion?: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number }[];
  [key: string]: unknown;
}

export class CniError extends Error {
  constructor(
    readonly result: CommandResult,
    message: string,
  ) {
    super(message);
  }
}

export interface Invocation {
  command: 'ADD' | 'CHECK' | 'DEL';
  containerId: string;
  /** The sandbox's namespace name (CNI_NETNS is its path). */
  sandboxNetns: string;
  ifname: string;
  /** Where plugins run: the host's namespace, where the "host side" of what they make lives. */
  hostNetns: string;
  binDir: string;
}

/**
 * Runs one CNI plugin binary through its contract: CNI_* in the environment, the network
 * configuration on stdin, a result (or `{code, msg}` error) on stdout.
 */
export async function invokePlugin(
  conf: PluginConf,
  base: { cniVersion: string; name: string },
  inv: Invocation,
  prevResult?: CniResult,
): Promise<{ result?: CniResult; evidence: CommandResult }> {
  const input = JSON.stringify({
    ...conf,
    cniVersion: base.cniVersion,
    name: base.name,
    ...(prevResult ? { prevResult } : {}),
  });
  const r = await execa('nsenter', [`--net=${netnsPath(inv.hostNetns)}`, '--', `${inv.binDir}/${conf.type}`], {
    reject: false,
    input,
    timeout: 30_000,
    env: {
      CNI_COMMAND: inv.command,
      CNI_CONTAINERID: inv.containerId,
      CNI_NETNS: netnsPath(inv.sandboxNetns),
      CNI_IFNAME: inv.ifname,
      CNI_PATH: inv.binDir,
    },
  });
  const evidence: CommandResult = {
    command:
      `[netns ${inv.hostNetns}] CNI_COMMAND=${inv.command} CNI_IFNAME=${inv.ifname} ${inv.binDir}/${conf.type} ` +
      `< ${input.length > 400 ? `${input.slice(0, 400)}…` : input}`,
    exitCode: r.exitCode ?? 255,
    output: `${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}`.slice(0, 4000),
    timedOut: r.timedOut,
  };
  if (r.exitCode !== 0) {
    let msg = r.stdout || r.stderr;
    try {
      const e = JSON.parse(r.stdout) as { code?: number; msg?: string; details?: string };
      msg = `code ${e.code}: ${e.msg}${e.details ? ` (${e.details})` : ''}`;
    } catch {
      /* not the spec's error format: keep the raw output */
    }
    throw new CniError(evidence, `CNI ${inv.command} by ${conf.type} failed: ${msg.trim()}`);
  }
  return { result: inv.command === 'ADD' ? (JSON.parse(r.stdout) as CniResult) : undefined, evidence };
}
