import pLimit, { type LimitFunction } from 'p-limit';

/**
 * How many checks each running driver may have going at once: an even share of the run's total, never
 * fewer than `least` nor more than `most`. While the pool of drivers is full each gets `least`; as
 * drivers finish, those still running get more, so the run's tail (one slow driver's chain of checks)
 * is not left at two at a time while the machine idles.
 */
export class CheckShares {
  private readonly limits = new Set<LimitFunction>();

  constructor(
    private readonly total: number,
    private readonly least: number,
    private readonly most: number,
  ) {}

  /** A driver's limiter, its share set now and again whenever a driver joins or leaves. */
  join(): LimitFunction {
    const limit = pLimit(this.least);
    this.limits.add(limit);
    this.rebalance();
    return limit;
  }

  leave(limit: LimitFunction): void {
    this.limits.delete(limit);
    this.rebalance();
  }

  /** Each running driver's share now. */
  get each(): number {
    const even = Math.floor(this.total / Math.max(1, this.limits.size));
    return Math.max(this.least, Math.min(this.most, even));
  }

  private rebalance() {
    const each = this.each;
    // lowering it lets running checks finish; raising it starts queued ones at once
    for (const limit of this.limits) limit.concurrency = each;
  }
}
