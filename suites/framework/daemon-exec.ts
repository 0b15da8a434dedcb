import type { Sandbox } from '../../drivers/contract.ts';
import type { Exec } from '../../lab/iperf3.ts';

/**
 * How to start a daemon (an iperf3 server) in a sandbox: through `execDetached` where the sandbox
 * has it, so the daemon belongs to the sandbox and ends with it even if the harness is stopped.
 */
export function daemonExec(sandbox: Sandbox): Exec {
  return (argv, timeoutMs) =>
    sandbox.execDetached ? sandbox.execDetached(argv, timeoutMs) : sandbox.exec(argv, timeoutMs);
}
