import type { Exec } from '../../lab/iperf3.ts';

export type Placement = 'same-host' | 'cross-host' | 'ceiling';

/** Two ends to measure between: a client, a server and the address the client dials. */
export interface PerfPair {
  /** The driver id, or the ceiling's name (`veth-ceiling` …). */
  subject: string;
  mode: string;
  placement: Placement;
  client: Exec;
  server: Exec;
  address: string;
  /** Host labels for evidence. */
  where: string;
  dispose(): Promise<void>;
}

export function pairName(p: Pick<PerfPair, 'subject' | 'placement'>): string {
  return p.placement === 'ceiling' ? p.subject : `${p.subject}@${p.placement}`;
}
