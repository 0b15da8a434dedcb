import type { Driver } from '../../drivers/contract.ts';
import type { LabShape } from '../../lab/lab.ts';

/**
 * Whether the driver gets hosts of its own beside the lab's (StartedLab.hostsOfItsOwn): on the netns
 * lab, one that restarts engines restarts engines of its own, not the ones every other driver uses.
 */
export function getsHostsOfItsOwn(d: Driver, lab: Pick<LabShape, 'kind'>): boolean {
  return d.engines === 'restart' && lab.kind === 'netns';
}

/** Whether the driver restarts the lab's engines (so no other driver may use them meanwhile). */
function restartsEngines(d: Driver): boolean {
  return d.engines === 'restart';
}

function usesEngines(d: Driver): boolean {
  return d.engines !== undefined;
}

/**
 * Why two drivers may not run side by side on one lab, or undefined when they may. Everything a
 * driver makes is named by the run and the driver, and subnets come from ranges of its own; what is
 * left are resources only one of them can hold: the engines (a driver that restarts them or joins
 * them in a swarm), and
 * VXLAN ids (two VXLAN devices with one VNI cannot share the underlay's UDP port in one namespace),
 * unless the two drivers take them from one allocator. A driver on hosts of its own shares neither
 * with the lab's drivers (its VXLAN devices are in its hosts' namespaces); two of them still conflict
 * (one store, the engines restarted).
 */
export function driverConflict(a: Driver, b: Driver, lab?: Pick<LabShape, 'kind'>): string | undefined {
  if (lab && getsHostsOfItsOwn(a, lab) !== getsHostsOfItsOwn(b, lab)) return undefined;
  if ((restartsEngines(a) && usesEngines(b)) || (restartsEngines(b) && usesEngines(a)))
    return `${restartsEngines(a) ? a.id : b.id} restarts the lab's engines`;
  if (a.engines === 'swarm' && b.engines === 'swarm') return `${a.id} and ${b.id} both form a swarm of the engines`;
  const [ra, rb] = [a.profile.vniRange, b.profile.vniRange];
  const shared = a.vniAllocator !== undefined && a.vniAllocator === b.vniAllocator;
  if (ra && rb && ra[0] <= rb[1] && rb[0] <= ra[1] && !shared)
    return `${a.id} and ${b.id} take VXLAN ids from overlapping ranges (${ra.join('–')}, ${rb.join('–')})`;
  return undefined;
}
