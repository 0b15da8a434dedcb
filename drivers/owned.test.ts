import { describe, expect, it } from 'vitest';
import { Owned, removeAllOwned } from './owned.ts';

type Item = { readonly id: string; remove(): Promise<void> };

describe('removeAllOwned', () => {
  it('takes every step whatever an earlier one did, then says what failed', async () => {
    const removed: string[] = [];
    const item = (id: string, fails = false): Item => ({
      id,
      remove: async () => {
        if (fails) throw new Error('removal already in progress');
        removed.push(id);
      },
    });
    const sandboxes = new Owned<Item>('d', 'sandbox');
    const networks = new Owned<Item>('d', 'network');
    sandboxes.add(item('s1'));
    sandboxes.add(item('s2', true));
    networks.add(item('n1', true));
    networks.add(item('n2'));
    let tornDown = false;
    const stopping = removeAllOwned(sandboxes, networks, async () => {
      tornDown = true;
    });
    await expect(stopping).rejects.toThrow(/^sandbox s2: removal already in progress$/);
    // newest first; a network that would not go is the leak audit's to report, not an error here
    expect(removed).toEqual(['s1', 'n2']);
    expect(tornDown).toBe(true);
  });

  it("a teardown's failure is thrown too, after everything else was removed", async () => {
    const stopping = removeAllOwned(new Owned<Item>('d', 'sandbox'), new Owned<Item>('d', 'network'), () =>
      Promise.reject(new Error('hosts left in the run’s swarm: h2')),
    );
    await expect(stopping).rejects.toThrow(/swarm: h2/);
  });
});
