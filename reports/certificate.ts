import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from '../lab/input-error.ts';
import { assertValid } from '../lab/schema.ts';
import type { Ratio } from '../lab/stats.ts';
import { judgeLevels, type Level, type LevelOutcome } from '../suites/levels.ts';
import type { ResultsFile } from './results-file.ts';

/** certificate.json (fixtures/schemas/certificate.schema.json). */
export interface Certificate {
  kind: 'cnm-harness certificate';
  version: 1;
  issuedAt: string;
  harnessVersion: string;
  driver: {
    id: string;
    name: string;
    kind: string;
    manifest: { path: string; sha256: string };
    /** sha256 of the driver's executable, when the manifest names it. */
    binary?: { path: string; sha256: string };
  };
  environment: {
    kernel: string;
    node: string;
    engines: { host: string; version: string }[];
    lab: { kind: string; hosts: number };
  };
  claimed: Level[];
  levels: LevelOutcome[];
  /** Measured, informational: each ratio with its 95% interval. */
  performance?: Record<string, Ratio>;
  verdict: 'pass' | 'fail';
  results: { file: string; runId: string; sha256: string };
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function fileDigest(path: string): Promise<string> {
  return sha256(await readFile(path));
}

export interface VerifyOutcome {
  ok: boolean;
  problems: string[];
}

/**
 * Checks a certificate against a results.json: the file's sha256 is the one certified, it is the
 * certified run, and the level verdicts the certificate states are the ones its results give.
 */
export async function verifyCertificate(certPath: string, resultsPath: string): Promise<VerifyOutcome> {
  const problems: string[] = [];
  let data: unknown;
  try {
    data = JSON.parse(await readFile(certPath, 'utf8'));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new InputError(`cannot read the certificate ${certPath}: ${why}. Expected the certificate.json of certify.`, {
      cause: e,
    });
  }
  const cert = assertValid<Certificate>('certificate.schema.json', data, `certificate ${certPath}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(resultsPath);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new InputError(`cannot read the results file ${resultsPath}: ${why}`, { cause: e });
  }
  const digest = sha256(bytes);
  if (digest !== cert.results.sha256)
    problems.push(
      `${resultsPath} is not the certified file: sha256 ${digest}, the certificate says ${cert.results.sha256}`,
    );
  let file: ResultsFile | undefined;
  try {
    file = assertValid<ResultsFile>('results.schema.json', JSON.parse(bytes.toString('utf8')), resultsPath);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (file) {
    if (file.run.id !== cert.results.runId)
      problems.push(`run ${file.run.id} is not the certified run ${cert.results.runId}`);
    const again = judgeLevels(file.results, cert.driver.id, cert.claimed);
    for (const level of cert.levels) {
      const mine = again.find((l) => l.name === level.name);
      if (!mine || mine.verdict !== level.verdict || JSON.stringify(mine.counts) !== JSON.stringify(level.counts)) {
        problems.push(
          `level ${level.name}: the certificate says ${level.verdict} ${JSON.stringify(level.counts)}, the ` +
            `results give ${mine?.verdict} ${JSON.stringify(mine?.counts)}`,
        );
      }
    }
  }
  return { ok: problems.length === 0, problems };
}
