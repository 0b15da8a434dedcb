import { spawn } from 'node:child_process';
import { LabFault } from './lab-fault.ts';
import { netnsPath, run, type CommandResult } from './linux/command.ts';
import { kill, listProcesses } from './linux/processes.ts';
import { listeningScript } from './listening.ts';
import { probeServerBinary } from './probe-server/build.ts';
import { classifyProbe, PROBE_PORTS, probeCommand, probeServerArgv } from './probes.ts';

export interface ProbeServers {
  stop(): void;
}

/**
 * Starts the probe server (the one the probe image runs) in a lab namespace, such as the outside
 * peer or a native sandbox, in a process group of its own, so stop() ends it and nothing else in
 * the namespace. Its command line names the namespace: a leak shows in `ps`, and a dead or hung
 * server can be found and replaced; the reaper kills whatever is inside a run's namespaces anyway.
 */
export async function startProbeServers(netns: string): Promise<ProbeServers> {
  const argv = probeServerArgv(await probeServerBinary(), netnsPath(netns));
  const child = spawn('nsenter', [`--net=${netnsPath(netns)}`, ...argv], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid;
  return {
    stop() {
      if (pid) kill(-pid, 'SIGKILL');
    },
  };
}

/** A shell loop that returns once both probe servers listen. */
export const PROBE_READY_SCRIPT = listeningScript({ tcp: [PROBE_PORTS.tcp], udp: [PROBE_PORTS.udp] }, 'probe servers');

/** Where the probe image's server writes why it stopped (its stderr). */
export const PROBE_SERVER_LOG = '/tmp/probe-server.log';

/**
 * The probe server started again in a probe-image container: detached, its output in the log, so
 * the `docker exec` that starts it ends at once.
 */
const IMAGE_SERVER = probeServerArgv('/bin/probe-server').join(' ');
export const PROBE_RESTART_SCRIPT = `${IMAGE_SERVER} </dev/null >>${PROBE_SERVER_LOG} 2>&1 &`;

/** A new sandbox's probe servers, as a driver's sandbox reaches them. */
export interface SandboxServers {
  /** "sandbox NAME on HOST", for the messages. */
  where: string;
  exec(argv: string[], timeoutMs: number): Promise<CommandResult>;
  /** What tells why the servers are not there (their log, the processes). */
  diagnose(): Promise<CommandResult[]>;
  restart(): Promise<unknown>;
}

/**
 * Waits until a new sandbox's probe servers listen. Servers that never came are the lab's fault, not
 * the driver's: they are started once more (a warning says so, with their log), and if they still do
 * not listen the sandbox is a LabFault naming them, with what was seen.
 */
export async function awaitProbeServers(servers: SandboxServers, seconds = 10): Promise<void> {
  const script = listeningScript({ tcp: [PROBE_PORTS.tcp], udp: [PROBE_PORTS.udp] }, 'probe servers', seconds);
  const first = await servers.exec(['sh', '-c', script], 30_000);
  if (first.exitCode === 0) return;
  const diagnosis = await servers.diagnose();
  await servers.restart();
  const second = await servers.exec(['sh', '-c', script], 30_000);
  const seen = [first, ...diagnosis, second].map((r) => `$ ${r.command} → ${r.exitCode}\n${r.output.trim()}`);
  if (second.exitCode === 0) {
    process.emitWarning(`probe servers in ${servers.where} did not listen and were started again:\n${seen.join('\n')}`);
    return;
  }
  throw new LabFault(
    `probe servers in ${servers.where}`,
    `they do not listen, not even after a restart: ${first.output.trim()}`,
    { evidence: seen },
  );
}

export interface ServerHealth {
  healthy: boolean;
  /** The server had to be started again. */
  restarted: boolean;
  evidence: CommandResult[];
}

async function answersLocally(netns: string): Promise<{ ok: boolean; evidence: CommandResult[] }> {
  const evidence = await Promise.all(
    (['tcp', 'udp'] as const).map((p) => run(probeCommand(p, '127.0.0.1'), { netns, timeoutMs: 15_000 })),
  );
  const ok = evidence.every((r, i) => classifyProbe(i ? 'udp' : 'tcp', '127.0.0.1', r).outcome === 'ok');
  return { ok, evidence };
}

/**
 * Makes sure the probe servers of a long-lived namespace (the outside peer) answer: a TCP and a UDP
 * probe from inside it. A dead or hung server is killed and started again, and checked once more.
 */
export async function ensureProbeServers(netns: string): Promise<ServerHealth> {
  const first = await answersLocally(netns);
  if (first.ok) return { healthy: true, restarted: false, evidence: first.evidence };
  const marker = netnsPath(netns);
  for (const p of await listProcesses())
    if (p.cmdline.includes('probe-server') && p.cmdline.endsWith(marker)) kill(p.pid, 'SIGKILL');
  await startProbeServers(netns);
  const ready = await run(['sh', '-c', PROBE_READY_SCRIPT], { netns, timeoutMs: 15_000 });
  const second = await answersLocally(netns);
  return { healthy: second.ok, restarted: true, evidence: [...first.evidence, ready, ...second.evidence] };
}
