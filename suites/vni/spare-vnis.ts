/**
 * Two-VNI ranges at the top of a driver's range, for the checks that use one up (vni/exhaustion) or
 * use one up and free it again (vni/release): a different pair for each check in this process, so
 * two drivers sharing one allocator (the reference overlay and its plugin) never take each other's
 * pair side by side. Networks take VNIs from the bottom of the range up; the top is free.
 */
const PAIRS = 32;
let next = 0;

export function sparePair([lo, hi]: readonly [number, number]): [number, number] {
  const pairs = Math.max(1, Math.min(PAIRS, Math.floor((hi - lo + 1) / 4)));
  const top = hi - 2 * (next++ % pairs);
  return [top - 1, top];
}
