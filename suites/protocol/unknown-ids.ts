import type { Exchange } from '../../drivers/remote/plugin-client.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { footprintDiff } from '../framework/footprint.ts';
import { ProtocolSession, refused, succeeded } from './session.ts';

/**
 * Calls naming a network or endpoint the plugin never saw get an error answer within the bound —
 * not a success, a dropped connection (a panic) or a hang — the plugin keeps serving, and a refused
 * Join leaves nothing behind (a plugin that makes the veth before checking its input leaks it).
 */
export default defineCheck({
  id: 'protocol/unknown-ids',
  title: 'Unknown network and endpoint IDs get an error answer; nothing crashes or leaks',
  readsWhole: ['host-state', 'kv'],
  requires: { features: ['remote'] },
  timeoutMs: 90_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const { network } = await session.createNetwork();
    const before = await session.footprint();
    const unknownNet = session.newId();
    const unknownEp = session.newId();
    const { key } = await session.sandboxKey();
    const sent: Exchange[] = [];
    // first an unknown network, then a known network with an unknown endpoint
    for (const netId of [unknownNet, network.id]) {
      const ids = { NetworkID: netId, EndpointID: unknownEp };
      if (netId === unknownNet)
        sent.push(
          await session.send('NetworkDriver.CreateEndpoint', {
            ...ids,
            Interface: { Address: `${network.address(9)}/24`, AddressIPv6: '', MacAddress: '' },
            Options: {},
          }),
        );
      sent.push(await session.send('NetworkDriver.EndpointOperInfo', ids));
      sent.push(await session.send('NetworkDriver.Join', { ...ids, SandboxKey: key, Options: {} }));
      sent.push(await session.send('NetworkDriver.Leave', ids));
      sent.push(await session.send('NetworkDriver.ProgramExternalConnectivity', { ...ids, Options: {} }));
    }
    const after = await session.footprint();
    const alive = await session.send('NetworkDriver.GetCapabilities');
    const bad = sent.filter((e) => !refused(e));
    const leaked = footprintDiff(before, after).added;
    const problems = [
      ...bad.map((e) =>
        e.failure
          ? `${e.call}: ${e.failure}${e.detail ? ` (${e.detail})` : ''}`
          : `${e.call}: succeeded (${e.status} ${e.text.slice(0, 80)})`,
      ),
      ...leaked.map((l) => `a refused call left behind: ${l}`),
      ...(succeeded(alive) ? [] : [`the plugin no longer answers GetCapabilities: ${alive.failure ?? alive.status}`]),
    ];
    return verdict(
      problems.length === 0,
      {
        pass:
          `${sent.length} calls with unknown IDs all refused with an answer ` +
          `(slowest ${Math.max(...sent.map((e) => e.ms)).toFixed(0)} ms); nothing leaked; still serving`,
        fail: problems.slice(0, 6).join('; '),
      },
      'an error answer (non-200 or Err) for each, within the bound; no new links, rules or keys',
      sent.map((e) => ({
        call: e.call,
        answer: e.failure ?? e.status,
        body: e.body ?? e.text.slice(0, 100),
        ms: Math.round(e.ms),
      })),
    );
  },
});
