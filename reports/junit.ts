import { countsAsFailure, type CheckResult } from '../suites/framework/result.ts';
import type { ResultsFile } from './results-file.ts';

function xml(text: string): string {
  // XML 1.0 has no place for most control characters; tools' output may contain them
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function properties(r: CheckResult): string {
  const props: [string, string][] = [];
  if (r.knownDeviation) props.push(['knownDeviation', r.knownDeviation], ['observedVerdict', 'fail']);
  if (r.component) props.push(['component', r.component]);
  if (r.skip) props.push(['skip', r.skip]);
  if (r.repeat)
    props.push(['runs', String(r.repeat.runs)], ['passes', String(r.repeat.passes)], ['flaky', String(r.repeat.flaky)]);
  if (!props.length) return '';
  const inner = props.map(([k, v]) => `<property name="${xml(k)}" value="${xml(v)}"/>`).join('');
  return `<properties>${inner}</properties>`;
}

function body(r: CheckResult): string {
  if (countsAsFailure(r)) {
    const detail = xml(JSON.stringify({ expected: r.expected, observed: r.observed }, null, 2));
    return `<failure message="${xml(r.reason)}">${detail}</failure>`;
  }
  if (r.verdict === 'error') return `<error message="${xml(r.reason)}"/>`;
  if (r.verdict === 'skip')
    return `<skipped message="${xml(`[${r.skip === 'not-applicable' ? 'not applicable' : 'not run'}] ${r.reason}`)}"/>`;
  return '';
}

function systemOut(r: CheckResult): string {
  const lines = r.knownDeviation
    ? [`known deviation (the check failed; explained, not counted): ${r.reason}`, `why: ${r.knownDeviation}`]
    : [];
  lines.push(...r.evidence.map((e) => `[${e.host}] $ ${e.command}\n(exit ${e.exitCode})\n${e.output}`));
  return lines.length ? `<system-out>${xml(lines.join('\n'))}</system-out>` : '';
}

/**
 * JUnit XML: one testsuite per driver, one testcase per check, evidence in system-out. It says what
 * the exit status says: a known deviation is a passed testcase carrying the deviation as properties
 * (`knownDeviation`, `observedVerdict=fail`) and in system-out; only unexplained fails are failures.
 */
export function toJUnit(file: ResultsFile): string {
  const byDriver = new Map<string, ResultsFile['results']>();
  for (const r of file.results) byDriver.set(r.driver, [...(byDriver.get(r.driver) ?? []), r]);
  const failures = (rs: CheckResult[]) => rs.filter(countsAsFailure).length;
  const count = (rs: CheckResult[], v: CheckResult['verdict']) => rs.filter((r) => r.verdict === v).length;
  const suites = [...byDriver].map(([driver, results]) => {
    const time = results.reduce((t, r) => t + r.durationMs, 0) / 1000;
    const cases = results.map(
      (r) =>
        `    <testcase classname="${xml(driver)}" name="${xml(r.check)}" time="${r.durationMs / 1000}">` +
        `${properties(r)}${body(r)}${systemOut(r)}</testcase>`,
    );
    const counts =
      `tests="${results.length}" failures="${failures(results)}" errors="${count(results, 'error')}" ` +
      `skipped="${count(results, 'skip')}"`;
    return `  <testsuite name="${xml(driver)}" ${counts} time="${time}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const all = file.results;
  const totals =
    `tests="${all.length}" failures="${failures(all)}" errors="${count(all, 'error')}" ` +
    `skipped="${count(all, 'skip')}"`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cnm-harness run ${file.run.id}" ${totals} ` +
    `time="${file.run.durationMs / 1000}">\n${suites.join('\n')}\n</testsuites>\n`
  );
}
