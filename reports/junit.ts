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

/** JUnit XML: one testsuite per driver, one testcase per check, evidence in system-out. */
export function toJUnit(file: ResultsFile): string {
  const byDriver = new Map<string, ResultsFile['results']>();
  for (const r of file.results) byDriver.set(r.driver, [...(byDriver.get(r.driver) ?? []), r]);
  const suites = [...byDriver].map(([driver, results]) => {
    const count = (v: string) => results.filter((r) => r.verdict === v).length;
    const time = results.reduce((t, r) => t + r.durationMs, 0) / 1000;
    const cases = results.map((r) => {
      const evidence = r.evidence
        .map((e) => `[${e.host}] $ ${e.command}\n(exit ${e.exitCode})\n${e.output}`)
        .join('\n');
      const body =
        r.verdict === 'fail'
          ? `<failure message="${xml(`${r.knownDeviation ? '[known deviation] ' : ''}${r.reason}`)}">` +
            `${xml(JSON.stringify({ expected: r.expected, observed: r.observed }, null, 2))}</failure>`
          : r.verdict === 'error'
            ? `<error message="${xml(r.reason)}"/>`
            : r.verdict === 'skip'
              ? `<skipped message="${xml(r.reason)}"/>`
              : '';
      return (
        `    <testcase classname="${xml(driver)}" name="${xml(r.check)}" ` +
        `time="${r.durationMs / 1000}">${body}${evidence ? `<system-out>${xml(evidence)}</system-out>` : ''}</testcase>`
      );
    });
    return (
      `  <testsuite name="${xml(driver)}" tests="${results.length}" failures="${count('fail')}" ` +
      `errors="${count('error')}" skipped="${count('skip')}" time="${time}">\n${cases.join('\n')}\n  </testsuite>`
    );
  });
  const s = file.summary;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cnm-harness run ${file.run.id}" ` +
    `tests="${file.results.length}" failures="${s.fail}" errors="${s.error}" skipped="${s.skip}" ` +
    `time="${file.run.durationMs / 1000}">\n${suites.join('\n')}\n</testsuites>\n`
  );
}
