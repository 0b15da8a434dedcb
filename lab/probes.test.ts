import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mustRun, run } from './linux/command.ts';
import { addNetns, deleteNetns } from './linux/netns.ts';
import { classifyProbe, PROBE_TIMEOUT_MS, probeCommand, type ProbeOutcome, type Protocol } from './probes.ts';

const res = (exitCode: number, output: string, timedOut = false) => ({ command: 'x', exitCode, output, timedOut });

// What the probe commands print in each case, as recorded between two namespaces on this machine
// (busybox ping, socat), and the outcome each must be read as.
const SEEN: [Protocol, number, string, ProbeOutcome][] = [
  ['icmp', 0, '64 bytes from 10.99.0.2: seq=0 ttl=64 time=0.1 ms', 'ok'],
  ['icmp', 1, '1 packets transmitted, 0 packets received, 100% packet loss', 'timeout'],
  ['icmp', 1, 'PING 10.98.0.1 (10.98.0.1): 56 data bytes\nping: sendto: Network is unreachable', 'unreachable'],
  ['icmp', 1, "ping: bad address 'p9'", 'unresolved'],
  ['icmp', 127, 'sh: 1: busybox: not found', 'tool-error'],
  ['icmp', 127, 'pingg: applet not found', 'tool-error'],
  ['icmp', 1, 'ping: permission denied (are you root?)', 'tool-error'],
  ['tcp', 0, '10.0.0.3', 'ok'],
  ['tcp', 1, 'socat[1] E connect(5, AF=2 10.99.0.2:47000, 16): Connection refused', 'refused'],
  ['tcp', 1, 'socat[1] E connecting to AF=2 10.99.0.2:47000: Connection timed out', 'timeout'],
  ['tcp', 1, 'socat[1] E connect(5, AF=2 10.98.0.2:47000, 16): Network is unreachable', 'unreachable'],
  ['tcp', 1, 'socat[1] E connect(5, AF=2 10.99.0.2:47000, 16): No route to host', 'unreachable'],
  ['tcp', 1, 'E getaddrinfo("p9", "NULL", {1,0,1,6}, {}): Temporary failure in name resolution', 'unresolved'],
  ['tcp', 127, 'env: socat: No such file or directory', 'tool-error'],
  ['tcp', 1, 'socat[1] E unknown device/address "FOO"', 'tool-error'],
  ['tcp', 0, '', 'tool-error'],
  ['tcp', 139, 'Segmentation fault', 'tool-error'],
  ['udp', 0, '172.18.0.2', 'ok'],
  ['udp', 0, '', 'timeout'],
  ['udp', 1, 'socat[1] E read(5, 0x55a2a3656000, 8192): Connection refused', 'refused'],
  ['udp', 1, 'socat[1] E connect(5, AF=2 10.98.0.2:47001, 16): Network is unreachable', 'unreachable'],
  ['udp', 1, 'E getaddrinfo("p9", "NULL", {2,0,2,17}, {}): Temporary failure in name resolution', 'unresolved'],
  ['udp', 127, 'sh: 1: socat: not found', 'tool-error'],
  ['udp', 0, 'garbage that is no address', 'tool-error'],
];

describe('classifyProbe', () => {
  it.for(SEEN)('%s exit %i "%s" is %s', ([protocol, exitCode, output, outcome]) => {
    expect(classifyProbe(protocol, 'x', res(exitCode, output)).outcome).toBe(outcome);
  });
  it('keeps the source address the server saw (TCP, UDP): where NAT shows', () => {
    expect(classifyProbe('tcp', '10.0.0.2', res(0, '10.0.0.3\n')).seenAs).toBe('10.0.0.3');
    expect(classifyProbe('udp', '10.0.0.2', res(0, '10.0.0.4\n')).seenAs).toBe('10.0.0.4');
  });
  it('a probe cut off at its wall-clock bound hung: a tool error, not a drop', () => {
    expect(classifyProbe('tcp', 'x', res(124, '', true)).outcome).toBe('tool-error');
    expect(classifyProbe('udp', 'x', res(124, '', true)).outcome).toBe('tool-error');
  });
});

describe('probeCommand', () => {
  it('targets the probe ports unless told otherwise', () => {
    expect(probeCommand('tcp', '1.2.3.4').join(' ')).toContain('TCP:1.2.3.4:47000');
    expect(probeCommand('udp', '1.2.3.4').join(' ')).toContain('UDP:1.2.3.4:47001');
    expect(probeCommand('tcp', '1.2.3.4', 5000).join(' ')).toContain('TCP:1.2.3.4:5000');
  });

  // the real commands on loopback: an answer, a refusal, and the tools missing
  it('reads real probes: ok, refused, and a missing tool as tool-error', async () => {
    const server = createServer((s) => s.end(`${s.remoteAddress?.replace('::ffff:', '')}\n`)).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const closed = port + 1 === 65536 ? port - 1 : port + 1;
    try {
      const outcome = async (protocol: Protocol, p: number, env: string[] = []) =>
        classifyProbe(protocol, '127.0.0.1', await run([...env, ...probeCommand(protocol, '127.0.0.1', p)])).outcome;
      expect(await outcome('tcp', port)).toBe('ok');
      expect(await outcome('icmp', port)).toBe('ok');
      expect(await outcome('tcp', closed)).toBe('refused');
      expect(await outcome('udp', closed)).toBe('refused');
      const noTools = ['env', 'PATH=/nonexistent'];
      expect(await outcome('tcp', port, noTools)).toBe('tool-error');
      expect(await outcome('icmp', port, ['env', 'PATH=/nonexistent', '/bin/sh', '-c', '"$0" "$@"'])).toBe(
        'tool-error',
      );
    } finally {
      server.close();
    }
  }, 30_000);
});

// a datagram without an answer is sent again (a first one may be lost to neighbour resolution or a
// loaded machine); counted by a real DROP rule in a namespace of the test's own
describe('probes that get no answer', () => {
  const ns = `cnmt-probes-${process.pid}`;
  beforeAll(async () => {
    await addNetns(ns);
    await mustRun(['ip', 'link', 'set', 'lo', 'up'], { netns: ns });
    await mustRun(['iptables', '-A', 'INPUT', '-p', 'icmp', '--icmp-type', 'echo-request', '-j', 'DROP'], {
      netns: ns,
    });
    await mustRun(['iptables', '-A', 'INPUT', '-p', 'udp', '--dport', '47001', '-j', 'DROP'], { netns: ns });
  });
  afterAll(async () => {
    await deleteNetns(ns);
  });

  it.for(['icmp', 'udp'] as const)('%s: tried three times, then a timeout', { timeout: 30_000 }, async (protocol) => {
    const r = await run(probeCommand(protocol, '127.0.0.1'), { netns: ns, timeoutMs: PROBE_TIMEOUT_MS });
    expect(classifyProbe(protocol, '127.0.0.1', r).outcome).toBe('timeout');
    const counters = await mustRun(['iptables', '-L', 'INPUT', '-v', '-x', '-n'], { netns: ns });
    const dropped = counters.output
      .split('\n')
      .find((l) => l.includes(protocol === 'icmp' ? 'icmptype 8' : 'dpt:47001'));
    expect(dropped?.trim().split(/\s+/)[0], counters.output).toBe('3');
  });
});
