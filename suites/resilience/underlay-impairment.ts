import type { Sandbox } from '../../drivers/contract.ts';
import { IperfError, pingRtts, runIperfClient, startIperfServer, type Exec } from '../../lab/iperf3.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import { clearDrops, clearPort, dropOnPorts, hostPort, shapePort } from '../../lab/underlay-faults.ts';
import { defineCheck, verdict } from '../framework/check.ts';
import type { CheckContext } from '../framework/context.ts';
import { daemonExec } from '../framework/daemon-exec.ts';
import { addressNow, WHOLE_LAB, workingPair } from './pair.ts';

const IPERF_PORT = 5201;
const TRANSFER_S = 2;
const PINGS = 40;

/** One impairment of the underlay, both hosts' ports, and how to take it off. */
interface Impairment {
  name: string;
  /** What the kernel must have for it (netem), or undefined for what this harness always has. */
  needs?: 'netem';
  apply(ctx: CheckContext, ports: string[]): Promise<CommandResult[]>;
}

const NONE: Impairment = { name: 'none', apply: async () => [] };
const loss = (perMille: number): Impairment => ({
  name: `loss ${perMille / 10}%`,
  apply: async (ctx, ports) => [await dropOnPorts(ctx.lab.underlay!, ports, perMille)],
});
const qdisc = (name: string, args: string[], needs?: 'netem'): Impairment => ({
  name,
  ...(needs ? { needs } : {}),
  apply: (ctx, ports) => Promise.all(ports.map((p) => shapePort(ctx.lab.underlay!, p, args))),
});

const IMPAIRMENTS: Impairment[] = [
  NONE,
  loss(10),
  loss(50),
  // a slow link: 20 Mbit/s with a queue of 50 ms (tbf, which every kernel has)
  qdisc('rate 20 Mbit/s', ['tbf', 'rate', '20mbit', 'burst', '32kbit', 'latency', '50ms']),
  qdisc('delay 20 ms ± 5 ms', ['netem', 'delay', '20ms', '5ms'], 'netem'),
  qdisc('reordering 25%', ['netem', 'delay', '10ms', 'reorder', '25%', '50%'], 'netem'),
];

/** Whether the kernel has netem: a try on a port, taken off at once. */
async function hasNetem(ctx: CheckContext, port: string): Promise<CommandResult> {
  const tried = await shapePort(ctx.lab.underlay!, port, ['netem', 'delay', '1ms']);
  await clearPort(ctx.lab.underlay!, port);
  return tried;
}

interface PhaseFigures {
  impairment: string;
  tcpMbps: number | null;
  tcpRetransmits: number | null;
  udpLossPercent: number | null;
  icmpAnswered: string;
  rttMedianMs: number | null;
  errors: string[];
}

/**
 * Cross-host TCP, UDP and ICMP under underlay impairments, one after another, on both hosts' ports
 * of the lab switch: random loss (1%, 5%), a slow link, and — where the kernel has netem — delay
 * with jitter and reordering. Connectivity must hold under each (TCP moves data, pings come back);
 * goodput, UDP loss and round trips are the metrics. Impairments the kernel cannot make are listed
 * as not run, with the reason.
 */
export default defineCheck({
  id: 'resilience/underlay-impairment',
  title: 'Cross-host TCP, UDP and ICMP hold under loss, a slow link, delay and reordering on the underlay',
  requires: { modes: ['overlay'], features: ['multiHost'], minHosts: 2, faultsInLab: true },
  exclusive: WHOLE_LAB,
  injectsFaults: true,
  timeoutMs: 240_000,
  async run(ctx) {
    const underlay = ctx.lab.underlay!;
    const ports = ctx.lab.hosts.slice(0, 2).map((h) => hostPort(h.descriptor));
    const pair = await workingPair(ctx, { forceCrossHost: true });
    if (!('p1' in pair)) return pair;
    const target = await addressNow(pair, 'p2');
    const exec =
      (s: Sandbox): Exec =>
      (argv, t) =>
        s.exec(argv, t, ctx.signal);
    const server = await startIperfServer(daemonExec(pair.p2), IPERF_PORT, `${ctx.lab.runId}-impair`);
    ctx.defer(() => server.stop());
    ctx.defer(async () => {
      await clearDrops(underlay);
      for (const p of ports) await clearPort(underlay, p);
    });
    const netem = await hasNetem(ctx, ports[0]!);
    const notRun: Record<string, string> = {};
    const phases: PhaseFigures[] = [];
    for (const impairment of IMPAIRMENTS) {
      if (impairment.needs === 'netem' && netem.exitCode !== 0) {
        notRun[impairment.name] = `the kernel has no netem qdisc (${netem.output.trim().split('\n')[0]})`;
        continue;
      }
      for (const r of await impairment.apply(ctx, ports)) ctx.record('underlay', r);
      const figures: PhaseFigures = {
        impairment: impairment.name,
        tcpMbps: null,
        tcpRetransmits: null,
        udpLossPercent: null,
        icmpAnswered: `0/${PINGS}`,
        rttMedianMs: null,
        errors: [],
      };
      const keep = (e: unknown) => {
        if (e instanceof IperfError) for (const ev of e.evidence) ctx.record(pair.p1.host.name, ev);
        figures.errors.push((e as Error).message.split('\n')[0]!);
      };
      await runIperfClient(exec(pair.p1), target, IPERF_PORT, { durationS: TRANSFER_S }).then((t) => {
        figures.tcpMbps = Math.round(t.result.bitsPerSecond / 1e5) / 10;
        figures.tcpRetransmits = t.result.retransmits ?? null;
      }, keep);
      await runIperfClient(exec(pair.p1), target, IPERF_PORT, { durationS: TRANSFER_S, udpRate: 10e6 }).then((u) => {
        figures.udpLossPercent = u.result.lostPercent ?? null;
      }, keep);
      await pingRtts(exec(pair.p1), target, PINGS).then((p) => {
        const sorted = [...p.rtts].sort((a, b) => a - b);
        figures.icmpAnswered = `${p.rtts.length}/${PINGS}`;
        figures.rttMedianMs = sorted[Math.floor(sorted.length / 2)] ?? null;
      }, keep);
      await clearDrops(underlay);
      for (const p of ports) await clearPort(underlay, p);
      phases.push(figures);
    }
    // holding: TCP moved data and at least half the pings came back, under every impairment made
    const broken = phases.filter((p) => !p.tcpMbps || Number(p.icmpAnswered.split('/')[0]) < PINGS / 2);
    return verdict(
      broken.length === 0,
      {
        pass:
          `cross-host TCP, UDP and ICMP held under ${phases.map((p) => p.impairment).join(', ')}` +
          (Object.keys(notRun).length ? ` (not run: ${Object.keys(notRun).join(', ')}: no netem in this kernel)` : ''),
        fail: broken
          .map(
            (p) =>
              `under ${p.impairment}: TCP ${p.tcpMbps ?? 'no data'} Mbit/s, ICMP ${p.icmpAnswered}` +
              (p.errors.length ? ` (${p.errors.join('; ')})` : ''),
          )
          .join('; '),
      },
      { underEach: 'TCP moves data, at least half the pings answered' },
      { phases, notRun },
      { phases, notRun },
    );
  },
});
