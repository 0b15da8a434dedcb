import type { ResultsFile } from '../../results-file.ts';
import { esc } from '../escape.ts';
import { row, table, verdictSpan } from '../markup.ts';

/** The VNIs each overlay used (per host) and the MTU each driver gave, from the vni/ and mtu/ checks. */
export function vniAndMtu(file: ResultsFile): string {
  const vni = file.results.filter((r) => r.check.startsWith('vni/') && r.verdict !== 'skip');
  const mtu = file.results.filter((r) => r.check.startsWith('mtu/') && r.verdict !== 'skip');
  if (!vni.length && !mtu.length) return '';
  const vniRows = vni.map((r) => {
    const o = (r.observed ?? {}) as { vnis?: number[]; perHost?: unknown };
    const perHost = `<code>${esc(o.perHost ? JSON.stringify(o.perHost) : '')}</code>`;
    return row([esc(r.driver), esc(r.check), verdictSpan(r.verdict), esc((o.vnis ?? []).join(', ')), perHost]);
  });
  const mtuRows = mtu.map((r) => {
    const o = (r.observed ?? {}) as { mtu?: number };
    return row([esc(r.driver), esc(r.check), verdictSpan(r.verdict), esc(o.mtu ?? ''), esc(r.reason)]);
  });
  const columns = ['driver', 'check', 'verdict'];
  return [
    '<section id="vni-mtu"><h2>VNIs and MTU</h2>',
    vniRows.length ? table([...columns, 'VNIs', 'per host'], vniRows) : '',
    mtuRows.length ? table([...columns, 'MTU', 'result'], mtuRows) : '',
    '</section>',
  ].join('');
}
