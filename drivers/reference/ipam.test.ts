import { describe, expect, it } from 'vitest';
import { gatewayOf, hostAddresses, intToIp, ipToInt, macFromIp, parseCidr, SubnetAllocator } from './ipam.ts';

describe('ipam', () => {
  it('round-trips addresses and normalises a CIDR to its network', () => {
    expect(intToIp(ipToInt('10.201.3.77'))).toBe('10.201.3.77');
    expect(parseCidr('10.201.3.77/24').cidr).toBe('10.201.3.0/24');
    expect(() => ipToInt('10.1.300.1')).toThrow(/not an IPv4 address/);
    expect(() => parseCidr('10.0.0.0/31')).toThrow(/\/8–\/30/);
  });
  it('reserves network, gateway and broadcast', () => {
    const s = parseCidr('10.0.0.0/29');
    expect(gatewayOf(s)).toBe('10.0.0.1');
    expect([...hostAddresses(s)]).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
  });
  it('allocates lowest free, reuses released, and says when the subnet is full', () => {
    const a = new SubnetAllocator(parseCidr('10.0.0.0/30'));
    expect(a.allocate()).toBe('10.0.0.2');
    expect(() => a.allocate()).toThrow(/no free address \(1 in use\)/);
    a.release('10.0.0.2');
    expect(a.allocate()).toBe('10.0.0.2');
  });
  it('derives a locally administered MAC from the address', () => {
    expect(macFromIp('10.201.0.2')).toBe('02:42:0a:c9:00:02');
  });
});
