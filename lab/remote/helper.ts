import type Dockerode from 'dockerode';
import { LABEL_RUN, PREFIX } from '../run-id.ts';

/** The label that marks a run's helper container (the leak audit and the reaper know it by it too). */
export const LABEL_HELPER = 'cnm-harness.helper';

/**
 * A container in a remote host's network and PID namespaces, from the probe image: what
 * `LabHost.exec` does in a netns lab's namespace (ip, nsenter into a sandbox's process, ping, socat)
 * runs in it through `docker exec`, so nothing assumes a shell or tools on the host itself. Its
 * command is a sleep, not the image's probe server, which would take ports in the host's namespace.
 */
export async function startHelper(docker: Dockerode, runId: string, host: string, image: string): Promise<string> {
  const container = await docker.createContainer({
    name: `${PREFIX}-${runId}-helper-${host}`,
    Image: image,
    Cmd: ['/bin/busybox', 'sleep', '2147483647'],
    Labels: { [LABEL_RUN]: runId, [LABEL_HELPER]: host },
    HostConfig: {
      NetworkMode: 'host',
      PidMode: 'host',
      // what its commands need, not --privileged (which some hosts cannot grant: "unable to apply caps"):
      // links and addresses, raw sockets for ping and captures, entering other processes' namespaces
      CapAdd: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'SYS_PTRACE'],
      SecurityOpt: ['apparmor=unconfined'],
    },
  });
  await container.start();
  return container.id;
}
