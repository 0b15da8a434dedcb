import { describe, expect, it } from 'vitest';
import { classifyProbe, probeCommand } from './probes.ts';

const res = (exitCode: number, output: string, timedOut = false) => ({ command: 'x', exitCode, output, timedOut });

describe('classifyProbe', () => {
  it('reads a TCP answer as ok, with the source address the server saw', () => {
    const r = classifyProbe('tcp', '10.0.0.2', res(0, '10.0.0.3\n'));
    expect(r.outcome).toBe('ok');
    expect(r.seenAs).toBe('10.0.0.3');
  });
  it('tells refused from timed out', () => {
    expect(
      classifyProbe('tcp', 'x', res(1, 'socat[1] E connect(5, AF=2 1.2.3.4:47000, 16): Connection refused')).outcome,
    ).toBe('refused');
    expect(classifyProbe('tcp', 'x', res(1, 'socat[1] E connect(...): Connection timed out')).outcome).toBe('timeout');
    expect(classifyProbe('tcp', 'x', res(1, 'E connect(): Network is unreachable')).outcome).toBe('timeout');
  });
  it('takes an empty UDP answer as a drop, not success', () => {
    expect(classifyProbe('udp', 'x', res(0, '')).outcome).toBe('timeout');
    expect(classifyProbe('udp', 'x', res(0, '172.18.0.2\n')).outcome).toBe('ok');
  });
  it('needs a reply line for ICMP success', () => {
    expect(classifyProbe('icmp', 'x', res(0, '64 bytes from 1.2.3.4: seq=0 ttl=64')).outcome).toBe('ok');
    expect(classifyProbe('icmp', 'x', res(1, '1 packets transmitted, 0 packets received')).outcome).toBe('timeout');
  });
  it('reports a name that does not resolve as unresolved', () => {
    expect(
      classifyProbe('tcp', 'p9', res(1, 'E getaddrinfo("p9", "NULL", ...): Temporary failure in name resolution'))
        .outcome,
    ).toBe('unresolved');
    expect(classifyProbe('icmp', 'p9', res(1, "ping: bad address 'p9'")).outcome).toBe('unresolved');
  });
  it('an unexpected failure is an error, not a drop', () => {
    expect(classifyProbe('tcp', 'x', res(127, 'sh: socat: not found')).outcome).toBe('error');
  });
});

describe('probeCommand', () => {
  it('targets the probe ports unless told otherwise', () => {
    expect(probeCommand('tcp', '1.2.3.4').join(' ')).toContain('TCP:1.2.3.4:47000');
    expect(probeCommand('udp', '1.2.3.4').join(' ')).toContain('UDP:1.2.3.4:47001');
    expect(probeCommand('tcp', '1.2.3.4', 5000).join(' ')).toContain('TCP:1.2.3.4:5000');
  });
});
