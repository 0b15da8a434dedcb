import { readFile, writeFile } from 'node:fs/promises';
import { InputError } from '../lab/input-error.ts';
import { assertValid } from '../lab/schema.ts';
import type { Certificate } from './certificate.ts';
import type { Comparison } from './compare.ts';
import { renderReport } from './html/report.ts';
import type { ResultsFile } from './results-file.ts';

export async function readResults(path: string): Promise<ResultsFile> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new InputError(
      `cannot read the results file ${path}: ${why}. Expected a results.json written by cnm-harness.`,
      {
        cause: e,
      },
    );
  }
  return assertValid<ResultsFile>('results.schema.json', data, `results file ${path}`);
}

export async function writeHtmlReport(
  file: ResultsFile,
  out: string,
  comparison?: Comparison,
  certificate?: Certificate,
): Promise<void> {
  await writeFile(out, renderReport(file, comparison, certificate));
}
