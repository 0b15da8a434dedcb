import { spawn } from 'node:child_process';
import { netnsPath } from './linux/command.ts';
import { PROBE_PORTS } from './probes.ts';

/**
 * Starts the probe servers (the same ones the probe image runs) in a lab namespace, such as the
 * outside peer. They die with the run: the reaper kills every process inside a run's namespaces.
 */
export function startProbeServers(netns: string): void {
  const servers = [
    `TCP-LISTEN:${PROBE_PORTS.tcp},fork,reuseaddr`,
    `UDP-RECVFROM:${PROBE_PORTS.udp},fork`,
  ];
  for (const listen of servers) {
    // the shell stays as socat's parent, its command line naming the namespace: a leak shows in `ps`
    const script = `socat ${listen} 'SYSTEM:echo $SOCAT_PEERADDR'; : ${netnsPath(netns)}`;
    const child = spawn('nsenter', [`--net=${netnsPath(netns)}`, 'sh', '-c', script], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
  }
}
