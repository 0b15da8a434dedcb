import { readFileSync } from 'node:fs';
import { ConfigError } from './config.ts';

/** `--NAME VALUE` as an integer within [lo, hi], or a ConfigError that says what was expected. */
export function integerOption(name: string, value: unknown, lo: number, hi: number): number {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < lo || n > hi) {
    const shown = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
    throw new ConfigError(`--${name} must be an integer from ${lo} to ${hi}, not ${shown}`);
  }
  return n;
}

/** The lab's host count bounds, as the run-config schema states them (one source for every command). */
export const HOSTS_RANGE: { minimum: number; maximum: number } = (
  JSON.parse(readFileSync(new URL('../fixtures/schemas/run-config.schema.json', import.meta.url), 'utf8')) as {
    properties: { hosts: { minimum: number; maximum: number } };
  }
).properties.hosts;

/** `--hosts N` for any command that brings a lab up. */
export function hostsOption(value: unknown): number {
  return integerOption('hosts', value, HOSTS_RANGE.minimum, HOSTS_RANGE.maximum);
}
