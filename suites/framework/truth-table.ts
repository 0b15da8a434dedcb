import { LabFault } from '../../lab/lab-fault.ts';
import { PROTOCOLS, type ProbeOutcome, type Protocol } from '../../lab/probes.ts';
import type { CheckContext } from './context.ts';
import { satisfies, type Expectation } from './expectations.ts';
import { probe, type ProbeSource } from './probe.ts';

/** One cell of a truth table: a probe from one peer to another, expected against observed. */
export interface TruthRow {
  from: string;
  to: string;
  protocol: Protocol;
  expected: Expectation;
  observed: ProbeOutcome;
  match: boolean;
  /** The source address the target's server saw (TCP, UDP). */
  seenAs?: string;
  /** A positive control: it must hold for the other rows to mean anything. */
  control?: true;
}

/**
 * Something a probe goes from or to: a sandbox, a lab host, the outside peer. (Not a CNM endpoint: those
 * are the driver's business; a peer is what a check points its probes at.)
 */
export interface ProbePeer {
  name: string;
  source?: ProbeSource;
  /** The address (or name) others probe it at; absent when nothing can address it. */
  target?: string;
  /** The probe servers answer at `target` (a sandbox, the outside peer): it can probe itself as a control. */
  serves?: true;
}

export interface TruthTable {
  rows: TruthRow[];
  /** Rows (controls aside) whose observation does not satisfy their expectation. */
  mismatches: TruthRow[];
}

// a blocked probe waits out its timeouts: the more at once, the fewer of those waits one after another
const PARALLEL = 16;

async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export interface Cell {
  from: ProbePeer;
  to: ProbePeer;
  protocol: Protocol;
  expected: Expectation;
  port?: number;
  /**
   * A positive control (the same source reaches something it must, a server answers a local probe):
   * when one does not hold, the table proves nothing about the driver and the check is an error.
   */
  control?: true;
}

const cellKey = (c: Cell) => `${c.from.name}>${c.to.name}/${c.protocol}/${c.port ?? ''}`;

/**
 * A target expected to be unreachable must be shown alive: for each one that runs the probe servers,
 * a control probing it from itself over the same protocol (once per target and protocol).
 */
function selfControls(cells: Cell[]): Cell[] {
  const seen = new Set(cells.map(cellKey));
  const controls: Cell[] = [];
  for (const c of cells) {
    if (c.expected !== 'blocked' || !c.to.serves || !c.to.source) continue;
    const self: Cell = { from: c.to, to: c.to, protocol: c.protocol, expected: 'ok', control: true };
    if (c.port !== undefined) self.port = c.port;
    if (seen.has(cellKey(self))) continue;
    seen.add(cellKey(self));
    controls.push(self);
  }
  return controls;
}

/**
 * Probes the given cells (a few at a time) and compares each with its expectation. Every target
 * expected to be unreachable that runs the probe servers also probes itself (a control). A control
 * that does not hold throws a LabFault carrying the table: the check errors instead of judging the driver.
 */
export async function probeCells(ctx: CheckContext, cells: Cell[]): Promise<TruthTable> {
  const rows = await pool(
    [...cells, ...selfControls(cells)],
    PARALLEL,
    async ({ from, to, protocol, expected, port, control }) => {
      const result = await probe(ctx, from.source!, protocol, to.target!, port);
      const row: TruthRow = {
        from: from.name,
        to: to.name,
        protocol,
        expected,
        observed: result.outcome,
        match: satisfies(expected, result.outcome),
        ...(control ? { control } : {}),
      };
      return result.seenAs ? { ...row, seenAs: result.seenAs } : row;
    },
  );
  const broken = rows.filter((r) => r.control && !r.match);
  if (broken.length)
    throw new LabFault('probe control', `a positive control did not hold: ${describeRows(broken)}`, { table: rows });
  return { rows, mismatches: rows.filter((r) => !r.match && !r.control) };
}

/** Probes every ordered pair of peers over every protocol and compares with `expect`. */
export async function truthTable(
  ctx: CheckContext,
  peers: ProbePeer[],
  expect: (from: ProbePeer, to: ProbePeer, protocol: Protocol) => Expectation,
  protocols: readonly Protocol[] = PROTOCOLS,
): Promise<TruthTable> {
  const cells: Cell[] = [];
  for (const from of peers) {
    for (const to of peers) {
      if (from === to || !from.source || !to.target) continue;
      for (const protocol of protocols) cells.push({ from, to, protocol, expected: expect(from, to, protocol) });
    }
  }
  return probeCells(ctx, cells);
}

function describeRows(rows: TruthRow[]): string {
  return rows.map((m) => `${m.from}→${m.to} ${m.protocol}: expected ${m.expected}, observed ${m.observed}`).join('; ');
}

export function describeMismatches(table: TruthTable): string {
  return describeRows(table.mismatches);
}
