/**
 * What a started driver made, by id. Checks hold networks and sandboxes by the contract's types;
 * when one comes back to the driver (join this sandbox to that network), the driver gets its own
 * typed object from here instead of downcasting, and a handle from another driver is a clear error.
 */
export class Owned<T extends { readonly id: string }> {
  private readonly items = new Map<string, T>();

  constructor(
    private readonly driverId: string,
    private readonly kind: string,
  ) {}

  add<U extends T>(item: U): U {
    this.items.set(item.id, item);
    return item;
  }

  /** The driver's own object behind a handle a check passed back. */
  get(handle: { readonly id: string; readonly name: string }): T {
    const item = this.items.get(handle.id);
    if (!item) throw new Error(`no ${this.kind} ${handle.id} (${handle.name}) among those ${this.driverId} made`);
    return item;
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  /** Everything still held, newest first (the order to remove in), and forgets it. */
  takeAll(): T[] {
    const all = [...this.items.values()].reverse();
    this.items.clear();
    return all;
  }

  values(): T[] {
    return [...this.items.values()];
  }
}

/**
 * What stopping a started driver means, whatever the driver: its sandboxes removed, then its
 * networks (newest first), then its own teardown. Every step is taken whatever an earlier one did —
 * a sandbox that would not go must not keep the driver's swarm or plugin up — and what failed is
 * thrown at the end. A network that fails to go is not an error here: the lifecycle checks and the
 * leak audit report it.
 */
export async function removeAllOwned(
  sandboxes: Owned<{ readonly id: string; remove(): Promise<void> }>,
  networks: Owned<{ readonly id: string; remove(): Promise<void> }>,
  teardown: () => Promise<void>,
): Promise<void> {
  const failed: string[] = [];
  const said = (e: unknown) => (e instanceof Error ? e.message : String(e));
  for (const s of sandboxes.takeAll())
    await s.remove().catch((e: unknown) => failed.push(`sandbox ${s.id}: ${said(e)}`));
  for (const n of networks.takeAll()) await n.remove().catch(() => undefined);
  await teardown().catch((e: unknown) => failed.push(said(e)));
  if (failed.length) throw new Error(failed.join('; '));
}
