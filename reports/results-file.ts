import type { ForeignChange, Leak } from '../lab/audit.ts';
import type { CheckResult, Summary } from '../suites/framework/result.ts';

/** results.json: the one document every other report is made from. */
export interface ResultsFile {
  run: {
    id: string;
    startedAt: string;
    durationMs: number;
    harnessVersion: string;
    command?: string;
    environment: { kernel: string; node?: string; engines: { host: string; version: string }[] };
    lab: {
      kind: 'netns' | 'local' | 'remote';
      hosts: string[];
      upMs?: number;
      downMs?: number;
      underlay?: object;
      transports?: Record<string, { transport: 'ssh' | 'tls' | 'unix'; endpoint: string; context?: string }>;
      /** The local lab's engine, as testcontainers found it. */
      engine?: { socketPath: string; foundBy: string; reaper: 'ryuk' | 'harness' };
    };
    audit?: { clean: boolean; leaks: Leak[]; foreign?: ForeignChange[] };
    interrupted?: boolean;
  };
  results: CheckResult[];
  summary: Summary;
}
