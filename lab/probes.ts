import type { CommandResult } from './linux/command.ts';

/** Ports the probe image's servers listen on. Each answers with the peer address it saw. */
export const PROBE_PORTS = { tcp: 47000, udp: 47001 } as const;

/**
 * The probe servers' command line, the same in the probe image and in native sandboxes: one process
 * (lab/probe-server/probe-server.c) answering every TCP connection and UDP datagram with the
 * address it came from. `label` marks the process (a namespace's path) so that it can be found.
 */
export function probeServerArgv(binary: string, label?: string): string[] {
  return [binary, String(PROBE_PORTS.tcp), String(PROBE_PORTS.udp), ...(label ? [label] : [])];
}

export type Protocol = 'icmp' | 'tcp' | 'udp';
export const PROTOCOLS: readonly Protocol[] = ['icmp', 'tcp', 'udp'];

/**
 * What a probe saw. `unreachable`: the network said so (no route, ENETUNREACH, an ICMP unreachable).
 * `tool-error`: the probe itself could not run — the tool is missing (exit 126/127, an unknown busybox
 * applet), it failed on its own terms (socat's usage errors), it crashed, or it did not finish within
 * its bound — so nothing was learnt about the network.
 */
export type ProbeOutcome = 'ok' | 'timeout' | 'refused' | 'unreachable' | 'unresolved' | 'tool-error';

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

/**
 * A shell loop that tries `attempt` up to DATAGRAM_TRIES times while `unanswered` holds (no reply,
 * nothing else said), and ends with the last attempt's output and exit status; a definite answer —
 * a reply, refused, unreachable, a missing tool — ends it at once. `attempt` sets `r` (its output)
 * and `c` (its exit status).
 */
function datagramLoop(attempt: string, unanswered: string): string {
  return `for i in $(seq ${DATAGRAM_TRIES}); do ${attempt}; ${unanswered} || break; done; echo "$r"; exit $c`;
}

/** The argv that probes `target` over `protocol`; runs the same in the probe image and on a lab host. */
export function probeCommand(protocol: Protocol, target: string, port?: number): string[] {
  switch (protocol) {
    case 'icmp':
      // busybox ping exits 1 both for no reply and for its own errors: only the former is tried again
      return [
        'sh',
        '-c',
        datagramLoop(
          `r=$(busybox ping -c 1 -W 1 ${target} 2>&1); c=$?`,
          `[ $c -eq 1 ] && case "$r" in *" 0 packets received"*) true;; *) false;; esac`,
        ),
      ];
    case 'tcp':
      return ['socat', '-T', String(WAIT_S), '-', `TCP:${target}:${port ?? PROBE_PORTS.tcp},connect-timeout=${WAIT_S}`];
    case 'udp':
      return [
        'sh',
        '-c',
        datagramLoop(
          `r=$(echo probe | socat -T 1 - UDP:${target}:${port ?? PROBE_PORTS.udp} 2>&1); c=$?`,
          '[ $c -eq 0 ] && [ -z "$r" ]',
        ),
      ];
  }
}

const ADDRESS_LINE = /^[0-9a-f.:]+$/i;
const UNRESOLVED = /name resolution|bad address|Name or service not known|unknown host/i;
const UNREACHABLE = /Network is unreachable|No route to host|Host is unreachable|Destination (Host|Net) Unreachable/i;

/** Reads a probe's output and exit status as one outcome (see ProbeOutcome). */
export function classifyProbe(protocol: Protocol, target: string, evidence: CommandResult): ProbeResult {
  const out = evidence.output;
  const seen = out
    .split('\n')
    .map((l) => l.trim())
    .find((l) => ADDRESS_LINE.test(l));
  const outcome = outcomeOf(protocol, evidence, seen);
  return {
    protocol,
    target,
    outcome,
    ...(seen && outcome === 'ok' && protocol !== 'icmp' ? { seenAs: seen } : {}),
    evidence,
  };
}

function outcomeOf(protocol: Protocol, evidence: CommandResult, seen: string | undefined): ProbeOutcome {
  const { output: out, exitCode } = evidence;
  // the tools' own waits are shorter than the bound: a probe cut off by it hung, it did not time out
  if (evidence.timedOut || exitCode === 126 || exitCode === 127 || exitCode > 128) return 'tool-error';
  if (UNRESOLVED.test(out)) return 'unresolved';
  if (protocol === 'icmp') {
    if (exitCode === 0 && /bytes from/.test(out)) return 'ok';
    if (UNREACHABLE.test(out)) return 'unreachable';
    if (exitCode === 1 && /0 packets received/.test(out)) return 'timeout';
    return 'tool-error';
  }
  if (exitCode === 0) return seen ? 'ok' : protocol === 'udp' && out.trim() === '' ? 'timeout' : 'tool-error';
  if (/Connection refused/i.test(out)) return 'refused';
  if (UNREACHABLE.test(out)) return 'unreachable';
  if (/timed out/i.test(out)) return 'timeout';
  // "not found", "applet not found", socat's "unknown device/address" …: the probe did not probe
  return 'tool-error';
}

/** A wall-clock bound for one probe, above the tools' own waits so they report first. */
export const PROBE_TIMEOUT_MS = (DATAGRAM_TRIES * WAIT_S + 6) * 1000;
