import type { EtcdClient } from '../../lab/kv/etcd-client.ts';

export type VniRange = [number, number];

export class VniExhaustedError extends Error {
  constructor(
    readonly range: VniRange,
    readonly inUse: number,
  ) {
    super(
      `VNI range ${range[0]}–${range[1]} is exhausted (${inUse} in use): delete an overlay network or widen the range`,
    );
  }
}

/** Parses `LO-HI` (the `vni-range` option); VXLAN ids are 24 bits and 0 is reserved. */
export function parseVniRange(text: string): VniRange {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 1 || hi > 0xffffff || lo > hi)
    throw new Error(`vni-range=${text}: expected LO-HI with 1 ≤ LO ≤ HI ≤ 16777215`);
  return [lo, hi];
}

/**
 * VNIs allocated cluster-wide in etcd: one key per VNI, claimed by compare-and-swap on its
 * creation revision, so two hosts (or processes) racing for one VNI cannot both win.
 */
export class VniAllocator {
  constructor(
    private readonly kv: EtcdClient,
    private readonly prefix: string,
  ) {}

  key(vni: number): string {
    return `${this.prefix}vni/${vni}`;
  }

  async inUse(): Promise<number[]> {
    return (await this.kv.list(`${this.prefix}vni/`))
      .map((k) => Number(k.key.slice(k.key.lastIndexOf('/') + 1)))
      .sort((a, b) => a - b);
  }

  /** Claims the lowest free VNI of `range` for `owner`. */
  async allocate(range: VniRange, owner: string): Promise<number> {
    const taken = new Set(await this.inUse());
    for (let vni = range[0]; vni <= range[1]; vni++) {
      if (taken.has(vni)) continue;
      if (await this.kv.createIfAbsent(this.key(vni), owner)) return vni;
    }
    throw new VniExhaustedError(range, (await this.inUse()).filter((v) => v >= range[0] && v <= range[1]).length);
  }

  /**
   * Frees `vni` if `owner` still holds it: a second release (a network removed twice) must not free
   * a VNI that has since passed to another network.
   */
  async release(vni: number, owner: string): Promise<void> {
    await this.kv.deleteIfValue(this.key(vni), owner);
  }
}
