import { spawn } from 'node:child_process';
import { netnsPath } from './linux/command.ts';
import { kill } from './linux/processes.ts';
import { listeningScript } from './listening.ts';
import { PROBE_PORTS, PROBE_SERVERS } from './probes.ts';

export interface ProbeServers {
  stop(): void;
}

/**
 * Starts the probe servers (the same ones the probe image runs) in a lab namespace, such as the
 * outside peer or a native sandbox. Each runs in a process group of its own, so stop() ends it
 * and nothing else in the namespace; the reaper kills whatever is inside a run's namespaces anyway.
 */
export function startProbeServers(netns: string): ProbeServers {
  const pids: number[] = [];
  for (const server of PROBE_SERVERS) {
    // the shell stays as socat's parent, its command line naming the namespace: a leak shows in `ps`
    const script = `socat ${server}; : ${netnsPath(netns)}`;
    const child = spawn('nsenter', [`--net=${netnsPath(netns)}`, 'sh', '-c', script], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    if (child.pid) pids.push(child.pid);
  }
  return {
    stop() {
      for (const pid of pids) kill(-pid, 'SIGKILL');
    },
  };
}

/** A shell loop that returns once both probe servers listen. */
export const PROBE_READY_SCRIPT = listeningScript({ tcp: [PROBE_PORTS.tcp], udp: [PROBE_PORTS.udp] }, 'probe servers');
