import { defineCheck, verdict } from '../framework/check.ts';
import { ProtocolSession, succeeded } from './session.ts';

interface IfaceReply {
  Interface?: { Address?: string; AddressIPv6?: string; MacAddress?: string } | null;
}

/**
 * CreateEndpoint may fill in only what Docker left empty: given an address and a MAC, the reply
 * must not change either (Docker rejects that and rolls the endpoint back); given only an address,
 * a MAC it fills in must be a valid one and the address must stay.
 */
export default defineCheck({
  id: 'protocol/endpoint-address',
  title: 'CreateEndpoint never overrides an address or MAC Docker supplied',
  requires: { features: ['remote'] },
  timeoutMs: 30_000,
  async run(ctx) {
    const session = ProtocolSession.for(ctx);
    await session.activate();
    const { exchange: net, network } = await session.createNetwork();
    if (!succeeded(net))
      return verdict(
        false,
        { pass: '', fail: `CreateNetwork failed: ${net.text || net.failure}` },
        'CreateNetwork succeeds',
        net.text,
      );
    const overrides: string[] = [];
    const seen: Record<string, unknown> = {};
    for (const withMac of [true, false]) {
      const { exchange, endpoint } = await session.createEndpoint(network, withMac ? 2 : 3, withMac);
      const label = withMac ? 'address and MAC given' : 'address given, MAC empty';
      seen[label] = exchange.body ?? exchange.text;
      if (!succeeded(exchange)) {
        overrides.push(`${label}: CreateEndpoint failed: ${exchange.text || exchange.failure}`);
        continue;
      }
      const reply = (exchange.body as IfaceReply).Interface ?? {};
      if (reply.Address && reply.Address !== endpoint.address)
        overrides.push(`${label}: Address ${endpoint.address} → ${reply.Address}`);
      if (withMac && reply.MacAddress && reply.MacAddress.toLowerCase() !== endpoint.mac)
        overrides.push(`${label}: MacAddress ${endpoint.mac} → ${reply.MacAddress}`);
      for (const p of ProtocolSession.replyProblems('NetworkDriver.CreateEndpoint', exchange))
        overrides.push(`${label}: ${p}`);
      await session.deleteEndpoint(endpoint);
    }
    return verdict(
      overrides.length === 0,
      { pass: 'supplied address and MAC kept; only empty fields filled in', fail: overrides.join('; ') },
      'the reply leaves supplied fields alone (absent, empty or equal)',
      seen,
    );
  },
});
