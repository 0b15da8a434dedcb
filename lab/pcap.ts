/** Just enough of pcap and of Ethernet/IPv4/UDP/VXLAN to read a VXLAN capture: pure functions. */

export interface PcapRecord {
  timestampUs: number;
  data: Buffer;
}

/** Parses a classic pcap stream (either byte order, microsecond or nanosecond timestamps). */
export function parsePcap(buf: Buffer): PcapRecord[] {
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = buf.readUInt32BE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b23c4d;
  if (!le && !be) throw new Error(`not a pcap stream (magic ${magic.toString(16)})`);
  const nano = (le ? magic : buf.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const out: PcapRecord[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const caplen = u32(off + 8);
    if (off + 16 + caplen > buf.length) break;
    out.push({
      timestampUs: sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac),
      data: buf.subarray(off + 16, off + 16 + caplen),
    });
    off += 16 + caplen;
  }
  return out;
}

export interface VxlanPacket {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  vni: number;
  /** The inner Ethernet frame's length. */
  innerLength: number;
  /** The inner frame's IPv4 addresses, where it carries IPv4 (not ARP): whose packet it is. */
  inner?: { srcIp: string; dstIp: string };
}

/** The source and destination of an Ethernet frame's IPv4 packet, if it carries one. */
function ipv4Of(frame: Buffer, start: number): { srcIp: string; dstIp: string } | undefined {
  let off = start + 12;
  if (frame.length >= off + 2 && frame.readUInt16BE(off) === 0x8100) off += 4;
  if (frame.length < off + 2 + 20 || frame.readUInt16BE(off) !== 0x0800 || frame[off + 2]! >> 4 !== 4) return undefined;
  return { srcIp: ip(frame, off + 2 + 12), dstIp: ip(frame, off + 2 + 16) };
}

const ip = (b: Buffer, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/**
 * Decodes an Ethernet frame carrying IPv4/UDP/VXLAN (RFC 7348: flags byte with the I bit 0x08,
 * 24 reserved bits, the 24-bit VNI, 8 reserved bits), and the inner frame's IPv4 addresses where it has
 * them. Anything else gives undefined.
 */
export function decodeVxlan(frame: Buffer): VxlanPacket | undefined {
  if (frame.length < 14 + 20 + 8 + 8) return undefined;
  let off = 12;
  let ethertype = frame.readUInt16BE(off);
  if (ethertype === 0x8100) {
    off += 4;
    ethertype = frame.readUInt16BE(off);
  }
  if (ethertype !== 0x0800) return undefined;
  const ipStart = off + 2;
  const ihl = (frame[ipStart]! & 0x0f) * 4;
  if (frame[ipStart]! >> 4 !== 4 || frame[ipStart + 9] !== 17) return undefined;
  const udp = ipStart + ihl;
  const vx = udp + 8;
  if (frame.length < vx + 8 || (frame[vx]! & 0x08) === 0) return undefined;
  const inner = ipv4Of(frame, vx + 8);
  return {
    srcIp: ip(frame, ipStart + 12),
    dstIp: ip(frame, ipStart + 16),
    srcPort: frame.readUInt16BE(udp),
    dstPort: frame.readUInt16BE(udp + 2),
    vni: (frame[vx + 4]! << 16) | (frame[vx + 5]! << 8) | frame[vx + 6]!,
    innerLength: frame.length - vx - 8,
    ...(inner ? { inner } : {}),
  };
}
