import type { StartedLab } from '../../lab/lab.ts';
import type { Driver } from '../contract.ts';
import { RefOverlayNetwork, type PublishedEndpoint } from './overlay-network.ts';
import { RefStartedDriver, type NetworkFactory } from './ref-driver.ts';
import { parseVniRange, VniAllocator } from './vni-allocator.ts';

const ENDPOINT_KEY = /networks\/([^/]+)\/endpoints\/(.+)$/;

/**
 * Starts ref-overlay: one etcd watch over the run's overlay keys. Each endpoint published by one
 * host is programmed into every other host that carries the network; a deleted one is removed.
 */
export async function startOverlay(
  driver: Driver,
  lab: StartedLab,
  networks: NetworkFactory<RefOverlayNetwork>,
): Promise<RefStartedDriver> {
  const kv = lab.kv()!;
  const prefix = `${lab.descriptor.kv!.prefix}overlay/`;
  const live = new Map<string, RefOverlayNetwork>();
  const known = new Map<string, PublishedEndpoint>();
  const watch = await kv.watch(`${prefix}networks/`, (event) => {
    const m = ENDPOINT_KEY.exec(event.key);
    const network = m ? live.get(m[1]!) : undefined;
    if (!network) return;
    const ep = event.type === 'put' ? (JSON.parse(event.value) as PublishedEndpoint) : known.get(event.key);
    if (!ep) return;
    if (event.type === 'put') known.set(event.key, ep);
    else known.delete(event.key);
    for (const host of lab.hosts) {
      if (host.name === ep.host || !network.hasHost(host.name)) continue;
      void (event.type === 'put' ? network.program(host, ep) : network.unprogram(host, ep));
    }
  });
  const started = new RefStartedDriver(
    driver,
    lab,
    'overlay',
    async (d, spec, seq) => {
      const net = await networks(d, spec, seq);
      live.set(net.id, net);
      return net;
    },
    async () => {
      await watch[Symbol.asyncDispose]();
    },
  );
  return started;
}

/** ref-overlay's networks: 10.202.<seq>.0/24, a VNI from the driver's range (option `vni-range` narrows it). */
export const overlayNetworks: NetworkFactory<RefOverlayNetwork> = async (driver, spec, seq) => {
  const kv = driver.lab.kv()!;
  const prefix = `${driver.lab.descriptor.kv!.prefix}overlay/`;
  const vnis = new VniAllocator(kv, prefix);
  const range = spec.options?.['vni-range']
    ? parseVniRange(spec.options['vni-range'])
    : driver.driver.profile.vniRange!;
  const id = `${driver.lab.runId}-${seq}`;
  const vni = await vnis.allocate(range, id);
  const network = new RefOverlayNetwork(spec.name, id, vni, `10.202.${seq % 250}.0/24`, kv, prefix, vnis);
  await kv.put(`${network.keyPrefix}network`, JSON.stringify({ vni, subnet: network.subnet }));
  return network;
};
