import type { Mode, Profile } from '../../drivers/contract.ts';
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
}

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
  profile: Profile,
  lab: LabShape & { underlay?: unknown },
): Unmet | undefined {
  if (req.modes && !req.modes.includes(profile.mode))
    return { reason: `applies to mode ${req.modes.join('/')}; the driver is ${profile.mode}`, kind: 'not-applicable' };
  for (const f of req.features ?? [])
    if (!profile[f])
      return {
        reason: `the driver's profile does not declare ${f}`,
        kind: KIND_FEATURES.has(f) ? 'not-applicable' : 'not-run',
      };
  if (req.minHosts && lab.hostCount < req.minHosts)
    return { reason: `needs ${req.minHosts} lab hosts; the lab has ${lab.hostCount}`, kind: 'not-run' };
  if (req.outsidePeer && !lab.underlay) return { reason: "needs the netns lab's outside peer", kind: 'not-run' };
  return undefined;
}
