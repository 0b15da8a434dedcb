import { readFileSync } from 'node:fs';
import { InputError } from '../lab/input-error.ts';
import type { LabKind } from '../lab/lab.ts';
import { assertValid, SchemaError } from '../lab/schema.ts';

export interface RunConfig {
  drivers?: string[];
  hosts: number;
  lab: LabKind;
  /** --lab remote: the lab file. */
  labFile?: string;
  /** --lab remote: hosts already in a swarm are used as they are. */
  useExistingSwarm?: boolean;
  checks?: string;
  report: string;
  /** Runs of each check; a check that both passes and fails is flaky. */
  repeat?: number;
  /** Drivers side by side (default: from the machine's cores and memory). */
  concurrency?: number;
  /** protocol/fuzz: the seed (reproduces a run) and how many requests. */
  fuzzSeed?: number;
  fuzzBudget?: number;
}

/** A usage or configuration problem: the CLI prints it and exits 2. */
export class ConfigError extends InputError {}

const DEFAULTS = { hosts: 2, lab: 'netns', report: './cnm-report' } as const;

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.CNM_HARNESS_DRIVERS) out.drivers = env.CNM_HARNESS_DRIVERS.split(',');
  if (env.CNM_HARNESS_HOSTS) out.hosts = Number(env.CNM_HARNESS_HOSTS);
  if (env.CNM_HARNESS_LAB) out.lab = env.CNM_HARNESS_LAB;
  if (env.CNM_HARNESS_LAB_FILE) out.labFile = env.CNM_HARNESS_LAB_FILE;
  if (env.CNM_HARNESS_CHECKS) out.checks = env.CNM_HARNESS_CHECKS;
  if (env.CNM_HARNESS_CONCURRENCY) out.concurrency = Number(env.CNM_HARNESS_CONCURRENCY);
  return out;
}

function fromFlags(flags: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof flags.drivers === 'string')
    out.drivers = flags.drivers
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (flags.hosts !== undefined)
    out.hosts = typeof flags.hosts === 'string' && /^\d+$/.test(flags.hosts) ? Number(flags.hosts) : flags.hosts;
  for (const k of ['lab', 'labFile', 'checks', 'report', 'useExistingSwarm'] as const)
    if (flags[k] !== undefined) out[k] = flags[k];
  for (const k of ['repeat', 'concurrency', 'fuzzSeed', 'fuzzBudget'] as const) {
    const v = flags[k];
    if (v !== undefined) out[k] = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

function fromFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`config file ${path} is not JSON: ${(e as Error).message}`);
  }
}

/** Merges config file < CNM_HARNESS_* environment < flags, then validates against the schema. */
export function resolveRunConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const merged = {
    ...DEFAULTS,
    ...(typeof flags.config === 'string' ? fromFile(flags.config) : {}),
    ...fromEnv(env),
    ...fromFlags(flags),
  };
  try {
    const cfg = assertValid<RunConfig>('run-config.schema.json', merged, 'the run configuration');
    if (cfg.lab === 'local' && cfg.hosts > 1 && flags.hosts !== undefined) {
      throw new ConfigError(
        `--lab local is one host (the machine's own engine); --hosts ${cfg.hosts} needs --lab netns`,
      );
    }
    if (cfg.lab === 'remote' && !cfg.labFile)
      throw new ConfigError('--lab remote needs --lab-file FILE: the hosts and how to reach their engines');
    if (cfg.lab !== 'remote' && cfg.labFile)
      throw new ConfigError(`--lab-file ${cfg.labFile} describes a remote lab: add --lab remote`);
    if (cfg.lab === 'remote' && flags.hosts !== undefined)
      throw new ConfigError('--lab remote has the hosts its lab file lists; leave out --hosts');
    return cfg.lab === 'local' ? { ...cfg, hosts: 1 } : cfg;
  } catch (e) {
    if (e instanceof SchemaError) throw new ConfigError(`${e.message}\nSee 'cnm-harness run --help'.`);
    throw e;
  }
}
