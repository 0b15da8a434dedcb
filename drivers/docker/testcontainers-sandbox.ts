import { GenericContainer, Wait } from 'testcontainers';
import { LabFault } from '../../lab/lab-fault.ts';
import { listeningScript } from '../../lab/listening.ts';
import { PROBE_PORTS } from '../../lab/probes.ts';

/** How long a sandbox's probe servers get to listen, per attempt. */
const READY_MS = 20_000;

export interface TestcontainersSandboxSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  networkMode: string;
  publish: { port: number; hostPort: number }[];
  /** A container-mode sandbox: the probe servers on the shared stack are its peer's. */
  sharesStack: boolean;
}

function container(spec: TestcontainersSandboxSpec, attempt: number): GenericContainer {
  const c = new GenericContainer(spec.image)
    .withName(attempt ? `${spec.name}-r${attempt}` : spec.name)
    .withLabels(spec.labels)
    .withNetworkMode(spec.networkMode)
    .withExposedPorts(...spec.publish.map((p) => ({ container: p.port, host: p.hostPort })))
    .withStartupTimeout(READY_MS);
  // ready when both probe servers listen (testcontainers execs the check until it succeeds or times out)
  if (!spec.sharesStack)
    c.withWaitStrategy(
      Wait.forSuccessfulCommand(
        listeningScript({ tcp: [PROBE_PORTS.tcp], udp: [PROBE_PORTS.udp] }, 'probe servers', 1),
      ),
    );
  return c;
}

/**
 * A sandbox of the local lab as a testcontainers container: started, and waited for with a wait
 * strategy (its probe servers listening) instead of the harness's own polling. A container that
 * never gets ready is removed by testcontainers and made once more; a second failure is a lab fault.
 * Returns the container's id.
 */
export async function startTestcontainersSandbox(spec: TestcontainersSandboxSpec): Promise<string> {
  const failures: string[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return (await container(spec, attempt).start()).getId();
    } catch (e) {
      failures.push((e as Error).message);
      if (!/not successful after/.test((e as Error).message)) throw e;
    }
  }
  throw new LabFault(`probe servers in sandbox ${spec.name}`, `they did not listen: ${failures.join('; then ')}`);
}
