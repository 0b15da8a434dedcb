import type { CommandResult } from './linux/command.ts';
import { listeningScript } from './listening.ts';
import { assertValid, SchemaError } from './schema.ts';

/** Runs a command somewhere (a sandbox, a namespace); the wrapper does not care where. */
export type Exec = (argv: string[], timeoutMs?: number) => Promise<CommandResult>;

export interface IperfResult {
  protocol: 'tcp' | 'udp';
  /** Received throughput (TCP: receiver side; UDP: what the receiver got). */
  bitsPerSecond: number;
  retransmits?: number;
  lostPercent?: number;
  jitterMs?: number;
  /** CPU use in percent of one core, sender and receiver. */
  cpuSender: number;
  cpuReceiver: number;
}

export class IperfError extends Error {
  constructor(
    message: string,
    readonly evidence: CommandResult[],
  ) {
    super(message);
  }
}

interface IperfJson {
  error?: string;
  end: {
    sum_received?: { bits_per_second: number; seconds: number };
    sum_sent?: { bits_per_second: number; retransmits?: number };
    sum?: { bits_per_second: number; jitter_ms?: number; lost_percent?: number };
    cpu_utilization_percent: { host_total: number; remote_total: number };
  };
}

/** Reads iperf3's JSON (-J) after checking it against fixtures/schemas/iperf3.schema.json. */
export function parseIperf(text: string, protocol: 'tcp' | 'udp'): IperfResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`iperf3 did not print JSON: ${text.slice(0, 300)}`);
  }
  const maybeError = (data as { error?: string }).error;
  if (maybeError) throw new Error(`iperf3: ${maybeError}`);
  const j = assertValid<IperfJson>('iperf3.schema.json', data, 'iperf3 -J output');
  const cpu = {
    cpuSender: j.end.cpu_utilization_percent.host_total,
    cpuReceiver: j.end.cpu_utilization_percent.remote_total,
  };
  if (protocol === 'udp') {
    const s = j.end.sum!;
    return {
      protocol,
      bitsPerSecond: s.bits_per_second * (1 - (s.lost_percent ?? 0) / 100),
      lostPercent: s.lost_percent ?? 0,
      jitterMs: s.jitter_ms ?? 0,
      ...cpu,
    };
  }
  return {
    protocol,
    bitsPerSecond: j.end.sum_received!.bits_per_second,
    retransmits: j.end.sum_sent?.retransmits ?? 0,
    ...cpu,
  };
}

export interface IperfServer {
  stop(): Promise<void>;
}

/**
 * Starts `iperf3 -s` as a daemon where `exec` runs, and waits until it listens (polled, not slept
 * for). `tag` makes the pid file unique: namespaces may share /tmp.
 */
export async function startIperfServer(exec: Exec, port: number, tag: string): Promise<IperfServer> {
  const pidfile = `/tmp/cnmh-iperf3-${tag}-${port}.pid`;
  const started = await exec(['iperf3', '-s', '-D', '-p', String(port), '-I', pidfile], 10_000);
  if (started.exitCode !== 0) {
    const hint = /not found|No such file/.test(started.output)
      ? ' (iperf3 missing: run npm run setup)'
      : /in use/i.test(started.output)
        ? ` (port ${port} busy)`
        : '';
    throw new IperfError(`iperf3 server did not start${hint}: ${started.output.trim()}`, [started]);
  }
  const ready = await exec(['sh', '-c', listeningScript({ tcp: [port] }, 'iperf3')], 15_000);
  if (ready.exitCode !== 0) throw new IperfError(`iperf3 server is not listening on ${port}`, [started, ready]);
  return {
    async stop() {
      await exec(['sh', '-c', `[ -f ${pidfile} ] && kill $(cat ${pidfile}); rm -f ${pidfile}`], 10_000);
    },
  };
}

export interface ClientOptions {
  durationS: number;
  parallel?: number;
  /** UDP at this rate in bits per second. */
  udpRate?: number;
}

/** One iperf3 client run against `address:port`; a refused or unreachable server is a clear error. */
export async function runIperfClient(
  exec: Exec,
  address: string,
  port: number,
  o: ClientOptions,
): Promise<{ result: IperfResult; evidence: CommandResult }> {
  const argv = [
    'iperf3',
    '-c',
    address,
    '-p',
    String(port),
    '-t',
    String(o.durationS),
    '-J',
    '--connect-timeout',
    '3000',
  ];
  if (o.parallel && o.parallel > 1) argv.push('-P', String(o.parallel));
  if (o.udpRate) argv.push('-u', '-b', String(o.udpRate));
  const evidence = await exec(argv, (o.durationS + 20) * 1000);
  try {
    return { result: parseIperf(evidence.output, o.udpRate ? 'udp' : 'tcp'), evidence };
  } catch (e) {
    const why = e instanceof SchemaError ? e.message : (e as Error).message;
    throw new IperfError(`iperf3 client to ${address}:${port}: ${why}`, [evidence]);
  }
}

/** Round-trip times from iputils ping at a short interval: the samples, in milliseconds. */
export async function pingRtts(
  exec: Exec,
  address: string,
  count: number,
): Promise<{ rtts: number[]; evidence: CommandResult }> {
  const evidence = await exec(['ping', '-c', String(count), '-i', '0.005', '-W', '1', address], 30_000);
  const rtts = [...evidence.output.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  if (!rtts.length) throw new IperfError(`ping ${address} got no reply`, [evidence]);
  return { rtts, evidence: { ...evidence, output: evidence.output.split('\n').slice(-4).join('\n') } };
}
