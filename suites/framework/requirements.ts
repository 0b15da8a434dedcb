import type { Mode, Profile } from '../../drivers/contract.ts';
import type { StartedLab } from '../../lab/lab.ts';

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

export function unmetRequirement(req: Requirements, profile: Profile, lab: StartedLab): string | undefined {
  if (req.modes && !req.modes.includes(profile.mode))
    return `applies to mode ${req.modes.join('/')}; the driver is ${profile.mode}`;
  for (const f of req.features ?? []) if (!profile[f]) return `the driver's profile does not declare ${f}`;
  if (req.minHosts && lab.hosts.length < req.minHosts)
    return `needs ${req.minHosts} lab hosts; the lab has ${lab.hosts.length}`;
  if (req.outsidePeer && !lab.underlay) return "needs the netns lab's outside peer";
  return undefined;
}
