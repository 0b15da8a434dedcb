import { describe, expect, it } from 'vitest';
import { decodeVxlan, parsePcap } from './pcap.ts';

/** An Ethernet/IPv4/UDP/VXLAN frame as a kernel would send it. */
function vxlanFrame(
  vni: number,
  opts: { src?: number[]; dst?: number[]; dport?: number; flags?: number; inner?: Buffer } = {},
): Buffer {
  const inner = opts.inner ?? Buffer.alloc(42, 0xab);
  const vx = Buffer.from([opts.flags ?? 0x08, 0, 0, 0, (vni >> 16) & 255, (vni >> 8) & 255, vni & 255, 0]);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40001, 0);
  udp.writeUInt16BE(opts.dport ?? 4789, 2);
  udp.writeUInt16BE(8 + vx.length + inner.length, 4);
  const ipHdr = Buffer.alloc(20);
  ipHdr[0] = 0x45;
  ipHdr[9] = 17;
  Buffer.from(opts.src ?? [198, 18, 0, 10]).copy(ipHdr, 12);
  Buffer.from(opts.dst ?? [198, 18, 0, 11]).copy(ipHdr, 16);
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ipHdr, udp, vx, inner]);
}

function pcap(frames: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const records = frames.map((f, i) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(1000 + i, 0);
    h.writeUInt32LE(500, 4);
    h.writeUInt32LE(f.length, 8);
    h.writeUInt32LE(f.length, 12);
    return Buffer.concat([h, f]);
  });
  return Buffer.concat([header, ...records]);
}

describe('VXLAN decoding', () => {
  it('reads the 24-bit VNI and the outer addresses', () => {
    const p = decodeVxlan(vxlanFrame(256))!;
    expect(p).toMatchObject({ srcIp: '198.18.0.10', dstIp: '198.18.0.11', dstPort: 4789, vni: 256, innerLength: 42 });
    expect(decodeVxlan(vxlanFrame(0xabcdef))!.vni).toBe(0xabcdef);
  });
  it("reads the inner frame's IPv4 addresses, and none from an inner ARP frame", () => {
    const innerIp = Buffer.alloc(14 + 20 + 8);
    innerIp.writeUInt16BE(0x0800, 12);
    innerIp[14] = 0x45;
    Buffer.from([10, 99, 0, 2, 10, 99, 0, 3]).copy(innerIp, 14 + 12);
    expect(decodeVxlan(vxlanFrame(300, { inner: innerIp }))!.inner).toEqual({ srcIp: '10.99.0.2', dstIp: '10.99.0.3' });
    const arp = Buffer.alloc(42);
    arp.writeUInt16BE(0x0806, 12);
    expect(decodeVxlan(vxlanFrame(300, { inner: arp }))!.inner).toBeUndefined();
  });
  it('rejects a header without the I flag, and non-UDP frames', () => {
    expect(decodeVxlan(vxlanFrame(256, { flags: 0 }))).toBeUndefined();
    const tcp = vxlanFrame(256);
    tcp[14 + 9] = 6;
    expect(decodeVxlan(tcp)).toBeUndefined();
    expect(decodeVxlan(Buffer.alloc(20))).toBeUndefined();
  });
  it('walks a pcap stream, and stops at a truncated record', () => {
    const buf = pcap([vxlanFrame(300), vxlanFrame(301)]);
    const recs = parsePcap(buf);
    expect(recs.map((r) => decodeVxlan(r.data)?.vni)).toEqual([300, 301]);
    expect(recs[0]!.timestampUs).toBe(1000 * 1e6 + 500);
    expect(parsePcap(buf.subarray(0, buf.length - 5))).toHaveLength(1);
    expect(() => parsePcap(Buffer.alloc(24, 1))).toThrow(/not a pcap/);
  });
});
