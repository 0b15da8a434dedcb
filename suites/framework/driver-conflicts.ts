import type { Driver } from '../../drivers/contract.ts';

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
 * unless the two drivers take them from one allocator.
 */
export function driverConflict(a: Driver, b: Driver): string | undefined {
  if ((restartsEngines(a) && usesEngines(b)) || (restartsEngines(b) && usesEngines(a)))
    return `${restartsEngines(a) ? a.id : b.id} restarts the lab's engines`;
  if (a.engines === 'swarm' && b.engines === 'swarm') return `${a.id} and ${b.id} both form a swarm of the engines`;
  const [ra, rb] = [a.profile.vniRange, b.profile.vniRange];
  const shared = a.vniAllocator !== undefined && a.vniAllocator === b.vniAllocator;
  if (ra && rb && ra[0] <= rb[1] && rb[0] <= ra[1] && !shared)
    return `${a.id} and ${b.id} take VXLAN ids from overlapping ranges (${ra.join('–')}, ${rb.join('–')})`;
  return undefined;
}
