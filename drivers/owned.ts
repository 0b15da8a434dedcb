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
