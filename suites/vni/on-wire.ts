import { startCapture } from '../../lab/capture.ts';
import { decodeVxlan } from '../../lab/pcap.ts';
import { hostPort } from '../../lab/underlay-faults.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { hostAddress } from '../framework/peers.ts';
import { agreedVni, observeNetwork } from './overlay-vnis.ts';

const VXLAN_PORT = 4789;

/**
 * On the wire: a capture on the underlay switch, while one host's sandbox pings the other's, shows
 * UDP 4789 between the two hosts' underlay addresses whose VXLAN header carries the network's VNI.
 */
export default defineCheck({
  id: 'vni/on-wire',
  title: 'The underlay carries the VNI in VXLAN headers between the hosts',
  exclusive: ['vxlan'],
  requires: { modes: ['overlay'], minHosts: 2, outsidePeer: true },
  async run(ctx) {
    const o = await observeNetwork(ctx, 'w');
    const vni = agreedVni(o.perHost, ctx.lab.hosts.length);
    if (vni === undefined) throw new Error(`no single VNI for the network: ${JSON.stringify(o.perHost)}`);
    const [a, b] = [o.scenario.sandbox('ws1'), o.scenario.sandbox('ws2')];
    const [addrA, addrB] = [hostAddress(a.host), hostAddress(b.host)];
    // the switch port of host A (frames forwarded between ports never show on the bridge device itself)
    const port = hostPort(a.host.descriptor);
    const capture = await startCapture(ctx.lab.underlay!.netns, port, `udp port ${VXLAN_PORT}`);
    ctx.record(
      a.host.name,
      await a.exec(['busybox', 'ping', '-c', '3', '-i', '0.2', '-W', '2', o.scenario.addressOf('ws2', 'w')], 15_000),
    );
    const { records, evidence } = await capture.stop();
    ctx.record(ctx.lab.underlay!.netns, evidence);
    const packets = records.map((r) => decodeVxlan(r.data)).filter((p) => p !== undefined);
    const between = packets.filter(
      (p) => (p.srcIp === addrA && p.dstIp === addrB) || (p.srcIp === addrB && p.dstIp === addrA),
    );
    const carrying = between.filter((p) => p.vni === vni && p.dstPort === VXLAN_PORT);
    const summary = packets
      .slice(0, 8)
      .map((p) => `${p.srcIp} → ${p.dstIp}:${p.dstPort} vni ${p.vni} (${p.innerLength} B inner)`);
    ctx.evidence.push({
      host: ctx.lab.underlay!.netns,
      command: 'decode VXLAN headers of the capture',
      exitCode: 0,
      output: summary.join('\n') || '(no VXLAN packet)',
    });
    const bothWays = carrying.some((p) => p.srcIp === addrA) && carrying.some((p) => p.srcIp === addrB);
    return verdict(
      bothWays,
      {
        pass: `${carrying.length} VXLAN packets with VNI ${vni} between ${addrA} and ${addrB} (both directions)`,
        fail:
          `expected VXLAN with VNI ${vni} both ways between ${addrA} and ${addrB}; ` +
          `captured: ${summary.join('; ') || 'nothing'}`,
      },
      { vni, between: [addrA, addrB], port: VXLAN_PORT },
      { vnis: [...new Set(packets.map((p) => p.vni))], packets: packets.length, withVni: carrying.length },
    );
  },
});
