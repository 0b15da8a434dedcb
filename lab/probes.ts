import type { CommandResult } from './linux/command.ts';

/** Ports the probe image's servers listen on. Each answers with the peer address it saw. */
export const PROBE_PORTS = { tcp: 47000, udp: 47001 } as const;

/**
 * The probe servers as socat arguments, the same in the probe image and in native sandboxes. The UDP
 * server's shell reads a byte of the datagram before it answers: when the shell had exited before
 * socat handed it the datagram, socat's write failed (EPIPE) and no answer went out — 1.7% of
 * requests on loopback, none out of 1000 with the read.
 */
export const PROBE_SERVERS: readonly string[] = [
  `TCP-LISTEN:${PROBE_PORTS.tcp},fork,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR'`,
  `UDP-RECVFROM:${PROBE_PORTS.udp},fork SYSTEM:'head -c 1 >/dev/null; echo $SOCAT_PEERADDR'`,
];

export type Protocol = 'icmp' | 'tcp' | 'udp';
export const PROTOCOLS: readonly Protocol[] = ['icmp', 'tcp', 'udp'];

/** What a probe saw, reduced to the cases the expectations talk about. */
export type ProbeOutcome = 'ok' | 'timeout' | 'refused' | 'unresolved' | 'error';

export interface ProbeResult {
  protocol: Protocol;
  target: string;
  outcome: ProbeOutcome;
  /** The source address the server saw (TCP, UDP): where NAT shows. */
  seenAs?: string;
  evidence: CommandResult;
}

const WAIT_S = 2;
/** ICMP and UDP are single datagrams: a first one lost to neighbour resolution is retried, not taken as a drop. */
const DATAGRAM_TRIES = 3;

/** The argv that probes `target` over `protocol`; runs the same in the probe image and on a lab host. */
export function probeCommand(protocol: Protocol, target: string, port?: number): string[] {
  switch (protocol) {
    case 'icmp':
      return [
        'sh',
        '-c',
        `for i in $(seq ${DATAGRAM_TRIES}); do busybox ping -c 1 -W 1 ${target} && exit 0; done; exit 1`,
      ];
    case 'tcp':
      return ['socat', '-T', String(WAIT_S), '-', `TCP:${target}:${port ?? PROBE_PORTS.tcp},connect-timeout=${WAIT_S}`];
    case 'udp':
      return [
        'sh',
        '-c',
        `for i in $(seq ${DATAGRAM_TRIES}); do r=$(echo probe | socat -T 1 - ` +
          `UDP:${target}:${port ?? PROBE_PORTS.udp} 2>&1) && [ -n "$r" ] && echo "$r" && exit 0; done; echo "$r"; ` +
          `exit 0`,
      ];
  }
}

const ADDRESS_LINE = /^[0-9a-f.:]+$/i;

export function classifyProbe(protocol: Protocol, target: string, evidence: CommandResult): ProbeResult {
  const out = evidence.output;
  const seen = out
    .split('\n')
    .map((l) => l.trim())
    .find((l) => ADDRESS_LINE.test(l));
  let outcome: ProbeOutcome;
  if (/name resolution|bad address|Name or service not known|unknown host/i.test(out)) outcome = 'unresolved';
  else if (protocol === 'icmp') outcome = evidence.exitCode === 0 && /bytes from/.test(out) ? 'ok' : 'timeout';
  else if (seen && evidence.exitCode === 0) outcome = 'ok';
  else if (/refused/i.test(out)) outcome = 'refused';
  else if (evidence.timedOut || /timed out/i.test(out) || (protocol === 'udp' && evidence.exitCode === 0))
    outcome = 'timeout';
  else if (/unreachable/i.test(out)) outcome = 'timeout';
  else outcome = 'error';
  return {
    protocol,
    target,
    outcome,
    ...(seen && outcome === 'ok' && protocol !== 'icmp' ? { seenAs: seen } : {}),
    evidence,
  };
}

/** A wall-clock bound for one probe, above the tools' own waits so they report first. */
export const PROBE_TIMEOUT_MS = (DATAGRAM_TRIES * WAIT_S + 6) * 1000;
