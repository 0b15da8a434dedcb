import { readFile, writeFile } from 'node:fs/promises';
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
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  return assertValid<ResultsFile>('results.schema.json', data, path);
}

export async function writeHtmlReport(
  file: ResultsFile,
  out: string,
  comparison?: Comparison,
  certificate?: Certificate,
): Promise<void> {
  await writeFile(out, renderReport(file, comparison, certificate));
}
