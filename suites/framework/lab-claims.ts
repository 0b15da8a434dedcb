import type { Driver } from '../../drivers/contract.ts';
import { keepsEngineStore, mayUseLabStore } from './footprint.ts';

/**
 * What concurrent work on one lab can disturb for each other (docs/architecture.md, "Side by side"):
 * - `host-state`: the links, iptables rules and namespaces of the lab hosts (every driver makes some);
 * - `vxlan`: VXLAN devices on the hosts and VXLAN packets on the underlay (overlay drivers);
 * - `kv`: the keys in the lab's etcd (drivers that keep state there);
 * - `host-ports`: the lab hosts' own probe ports, where a host-mode sandbox's probe servers listen.
 * A check that reads one of them as a whole (a footprint before and after, a capture) claims it
 * exclusively; everything else holds a shared claim on what its driver touches.
 */
export type LabResource = 'host-state' | 'vxlan' | 'kv' | 'host-ports';

export interface Claim {
  resource: LabResource;
  exclusive: boolean;
  /**
   * Whose hosts: undefined for the lab's own; a driver on hosts of its own (hostsOfItsOwn) claims
   * their host state, VXLAN devices and ports apart from everyone else's, and its part of the etcd
   * too when that is its engines' own datastore (the classic overlay: kvFootprint).
   */
  hosts?: string;
}

/** Resources that belong to a set of hosts (the rest are the lab's, whoever claims them). */
const ON_HOSTS: ReadonlySet<LabResource> = new Set(['host-state', 'vxlan', 'host-ports']);

/** The resources a driver's work touches (a shared claim while any of its checks runs). */
export function resourcesOf(driver: Driver): LabResource[] {
  if (driver.profile.mode === 'overlay')
    return ['host-state', 'vxlan', ...(mayUseLabStore(driver) ? ['kv' as const] : [])];
  // a plugin may keep state anywhere: the lab's etcd is the one store it is given
  return driver.implementation.startsWith('remote:') ? ['host-state', 'kv'] : ['host-state'];
}

/**
 * A check's claims on a driver: exclusive on what it reads whole, shared on the rest its driver
 * touches. A host-mode driver's checks always hold the hosts' probe ports to themselves.
 */
export function claimsFor(driver: Driver, exclusive: readonly LabResource[] = [], hosts?: string): Claim[] {
  const alone = new Set<LabResource>(exclusive);
  if (driver.profile.mode === 'host') alone.add('host-ports');
  const shared = resourcesOf(driver).filter((r) => !alone.has(r));
  // libnetwork's keys (`/docker/` in v2), written by the engines of a driver's own hosts, are no one else's
  const apart = (r: LabResource) => ON_HOSTS.has(r) || (r === 'kv' && keepsEngineStore(driver));
  const on = (resource: LabResource) => (hosts !== undefined && apart(resource) ? { hosts } : {});
  return [
    ...[...alone].map((resource) => ({ resource, exclusive: true, ...on(resource) })),
    ...shared.map((resource) => ({ resource, exclusive: false, ...on(resource) })),
  ];
}

function conflicts(a: Claim[], b: Claim[]): boolean {
  return a.some((x) => b.some((y) => x.resource === y.resource && x.hosts === y.hosts && (x.exclusive || y.exclusive)));
}

interface Waiter {
  claims: Claim[];
  grant: () => void;
}

/**
 * A reader-writer lock over several resources, first come first served: a request is granted when
 * it conflicts with nothing held and with no earlier request still waiting (so an exclusive claim
 * is never starved by a stream of shared ones).
 */
export class LabClaims {
  private readonly held = new Set<Claim[]>();
  private readonly waiting: Waiter[] = [];

  /** Resolves when granted, with the release; rejects if `signal` aborts first. */
  acquire(claims: Claim[], signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const release = () => {
        if (this.held.delete(claims)) this.grantWaiting();
      };
      const waiter: Waiter = {
        claims,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.held.add(claims);
          resolve(release);
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        this.grantWaiting();
        reject(signal!.reason instanceof Error ? signal!.reason : new Error('stopped'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.grantWaiting();
    });
  }

  /** Runs `work` holding `claims`. */
  async with<T>(claims: Claim[], work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(claims, signal);
    try {
      return await work();
    } finally {
      release();
    }
  }

  private grantWaiting(): void {
    const blocked: Claim[][] = [];
    for (const w of [...this.waiting]) {
      const free = ![...this.held].some((h) => conflicts(h, w.claims)) && !blocked.some((b) => conflicts(b, w.claims));
      if (free) {
        this.waiting.splice(this.waiting.indexOf(w), 1);
        w.grant();
      } else blocked.push(w.claims);
    }
  }
}
