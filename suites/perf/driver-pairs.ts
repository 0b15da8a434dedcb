import type { StartedDriver } from '../../drivers/contract.ts';
import { daemonExec } from '../framework/daemon-exec.ts';
import type { PerfPair, Placement } from './pair.ts';

/**
 * The pairs a driver can be measured on: one host always; across two hosts where the mode spans
 * them (overlay) or talks over the underlay (host mode).
 */
export async function driverPairs(started: StartedDriver): Promise<PerfPair[]> {
  const { lab, driver } = started;
  const mode = driver.profile.mode;
  if (mode === 'none' || mode === 'container') return [];
  const placements: Placement[] = ['same-host'];
  if ((driver.profile.multiHost || mode === 'host') && lab.hosts.length > 1) placements.push('cross-host');
  const pairs: PerfPair[] = [];
  for (const placement of placements) {
    const [hc, hs] = [lab.hosts[0]!, lab.hosts[placement === 'cross-host' ? 1 : 0]!];
    const network = await started.createNetwork({ name: `perf-${placement}`, host: hc });
    const client = await started.createSandbox({ name: `perfc-${placement}`, host: hc, network });
    const server = await started.createSandbox({ name: `perfs-${placement}`, host: hs, network });
    const address =
      mode === 'host'
        ? placement === 'same-host'
          ? '127.0.0.1'
          : hs.descriptor.underlayAddress!
        : server.address(network);
    if (!address) throw new Error(`${driver.id}: the server sandbox has no address`);
    pairs.push({
      subject: driver.id,
      mode,
      placement,
      client: (argv, t) => client.exec(argv, t),
      // the iperf3 server is a daemon: it must end with its sandbox, even if the bench is stopped
      server: daemonExec(server),
      address,
      where: `${hc.name} → ${hs.name}`,
      dispose: async () => {
        await client.remove();
        await server.remove();
        await network.remove();
      },
    });
  }
  return pairs;
}
