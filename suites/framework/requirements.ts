import type { Driver, Mode, Profile } from '../../drivers/contract.ts';
import type { LabShape } from '../../lab/lab.ts';

/** Profile entries a check can need: the optional features, and `nat`, `dns`, `multiHost`, `isolated`. */
type Feature = Exclude<keyof Profile, 'mode' | 'scope' | 'mtu' | 'vniRange'>;

/** What a check needs from the driver's profile and the lab; unmet needs skip it with a reason. */
export interface Requirements {
  modes?: Mode[];
  /** Profile features that must be declared (true, or present). */
  features?: Feature[];
  minHosts?: number;
  /** The lab's outside peer (netns lab) is needed. */
  outsidePeer?: boolean;
  /** What the driver must be, beyond its profile (a fault needs something to act on). */
  traits?: DriverTrait[];
  /**
   * The check injects faults into the lab (its engines, etcd, underlay): only a netns lab's, never
   * the machine's own engine or network.
   */
  faultsInLab?: boolean;
}

/**
 * `restartablePlugin`: the harness launched the driver's plugin processes and can kill them;
 * `engineSandboxes`: its sandboxes are containers of the lab's engines; `keepsStateInLabKv`: its
 * state is in the lab's etcd.
 */
export type DriverTrait = 'restartablePlugin' | 'engineSandboxes' | 'keepsStateInLabKv';

const TRAITS: Record<DriverTrait, { has: (d: Driver) => boolean; lacks: string }> = {
  restartablePlugin: {
    has: (d) => d.restartablePlugin === true,
    lacks: 'the driver has no plugin process the harness launched (and could restart)',
  },
  engineSandboxes: {
    has: (d) => d.engines !== undefined,
    lacks: "the driver's sandboxes are not containers of the lab's engines",
  },
  keepsStateInLabKv: { has: (d) => d.keepsStateInLabKv === true, lacks: "the driver keeps no state in the lab's etcd" },
};

/**
 * Why a check was not run. `not-applicable`: the driver's kind has no such thing (a check of bridge
 * mode on a none-mode driver; the protocol suite on a driver that is no remote plugin). `not-run`:
 * the driver could have it but does not claim it, or this lab cannot host the check.
 */
export type SkipKind = 'not-applicable' | 'not-run';

export interface Unmet {
  reason: string;
  kind: SkipKind;
}

/** Features that say what a driver is rather than what it offers: without one, a check does not apply. */
const KIND_FEATURES: ReadonlySet<Feature> = new Set(['remote']);

export function unmetRequirement(
  req: Requirements,
  driver: Pick<Driver, 'profile' | 'restartablePlugin' | 'engines' | 'keepsStateInLabKv'>,
  lab: LabShape & { underlay?: unknown },
): Unmet | undefined {
  const profile = driver.profile;
  if (req.modes && !req.modes.includes(profile.mode))
    return { reason: `applies to mode ${req.modes.join('/')}; the driver is ${profile.mode}`, kind: 'not-applicable' };
  for (const f of req.features ?? [])
    if (!profile[f])
      return {
        reason: `the driver's profile does not declare ${f}`,
        kind: KIND_FEATURES.has(f) ? 'not-applicable' : 'not-run',
      };
  if (req.features?.includes('remote') && lab.kind === 'remote')
    return {
      reason: "the protocol suite talks to the plugin's socket directly, and on remote hosts it is not on this machine",
      kind: 'not-run',
    };
  if (req.minHosts && lab.hostCount < req.minHosts)
    return { reason: `needs ${req.minHosts} lab hosts; the lab has ${lab.hostCount}`, kind: 'not-run' };
  if (req.outsidePeer && !lab.underlay) return { reason: "needs the netns lab's outside peer", kind: 'not-run' };
  for (const t of req.traits ?? [])
    if (!TRAITS[t].has(driver as Driver)) return { reason: TRAITS[t].lacks, kind: 'not-applicable' };
  if (req.faultsInLab && lab.kind !== 'netns')
    return {
      reason: "injects faults into the lab's engines, etcd or underlay: on this lab they would be the machine's own",
      kind: 'not-run',
    };
  return undefined;
}
