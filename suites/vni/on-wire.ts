import { startCapture } from '../../lab/capture.ts';
import { decodeVxlan, type VxlanPacket } from '../../lab/pcap.ts';
import { hostPort } from '../../lab/underlay-faults.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import { hostAddress } from '../framework/peers.ts';
import { agreedVni, observeNetwork } from './overlay-vnis.ts';

const VXLAN_PORT = 4789;

/**
 * On the wire: a capture on the underlay switch, while one host's sandbox pings the other's, shows
 * UDP 4789 between the two hosts' underlay addresses whose VXLAN header carries the network's VNI,
 * around the two sandboxes' own packets (the inner addresses: other overlay traffic on the underlay
 * meanwhile is not this network's, whatever its VNI).
 */
export default defineCheck({
  id: 'vni/on-wire',
  title: 'The underlay carries the VNI in VXLAN headers between the hosts',
  // only its own pings count (VNI and inner addresses), so others' VXLAN traffic cannot make a pass:
  // it runs beside them, and a fail is confirmed with the VXLAN devices and the underlay to itself
  readsWhole: ['vxlan'],
  requires: { modes: ['overlay'], minHosts: 2, outsidePeer: true },
  async run(ctx) {
    const o = await observeNetwork(ctx, 'w');
    const vni = agreedVni(o.perHost, ctx.lab.hosts.length);
    if (vni === undefined) throw new Error(`no single VNI for the network: ${JSON.stringify(o.perHost)}`);
    const [a, b] = [o.scenario.sandbox('ws1'), o.scenario.sandbox('ws2')];
    const [addrA, addrB] = [hostAddress(a.host), hostAddress(b.host)];
    const sandboxes = new Set([o.scenario.addressOf('ws1', 'w'), o.scenario.addressOf('ws2', 'w')]);
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
    const ours = (p: VxlanPacket) =>
      p.inner !== undefined && sandboxes.has(p.inner.srcIp) && sandboxes.has(p.inner.dstIp);
    const carrying = between.filter((p) => p.vni === vni && p.dstPort === VXLAN_PORT && ours(p));
    // the sandboxes' own packets first, whatever VNI they went with: the rest may be other networks'
    const summary = [...packets.filter(ours), ...packets.filter((p) => !ours(p))]
      .slice(0, 8)
      .map(
        (p) =>
          `${p.srcIp} → ${p.dstIp}:${p.dstPort} vni ${p.vni} (${p.innerLength} B inner` +
          `${p.inner ? `, ${p.inner.srcIp} → ${p.inner.dstIp}` : ''})`,
      );
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
          `expected VXLAN with VNI ${vni} both ways between ${addrA} and ${addrB} around the pings between ` +
          `${[...sandboxes].join(' and ')}; ` +
          `captured: ${summary.join('; ') || 'nothing'}`,
      },
      { vni, between: [addrA, addrB], port: VXLAN_PORT, around: [...sandboxes] },
      {
        vnis: [...new Set(packets.filter(ours).map((p) => p.vni))],
        packets: packets.length,
        ofTheSandboxes: packets.filter(ours).length,
        withVni: carrying.length,
      },
    );
  },
});
