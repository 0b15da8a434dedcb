export const STYLE = `
:root{--pass:#1a7f37;--fail:#cf222e;--skip:#8c959f;--error:#9a6700;
  --bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d0d7de}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{padding:0 16px;max-width:1400px;margin:0 auto}
h1{font-size:20px;margin:16px 0 4px}
h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid var(--line)}
.meta{color:var(--muted);margin:2px 0}
code{font-size:12px}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
.n{text-align:right}
.v.pass,.verdict.conforms{color:var(--pass)}
.v.fail,.verdict.fails{color:var(--fail)}
.v.skip{color:var(--skip)}
.v.error,.verdict.deviates{color:var(--error)}
.scroll{overflow-x:auto;max-width:100%}
#matrix th.check{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal;font-size:12px}
#matrix td.cell{text-align:center;min-width:22px}#matrix td.cell a{text-decoration:none;color:inherit;display:block}
td.cell.pass{background:#dafbe1}
td.cell.fail{background:#ffebe9}
td.cell.fail.known{background:#fff8c5}
td.cell.skip{background:#f6f8fa;color:var(--skip)}
td.cell.skip.not-applicable{background:#fff;color:#d0d7de}
td.cell.flaky{outline:2px dashed var(--error);outline-offset:-3px}
td.cell.error{background:#fff1e5}
table.truth tr.mismatch{background:#ffebe9;font-weight:bold}
details.result{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 8px}
details.result>summary{cursor:pointer;overflow-wrap:anywhere}
details.result.fail{border-color:var(--fail)}
details.result.error{border-color:var(--error)}
pre{background:#f6f8fa;padding:6px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;
  font-size:12px;margin:4px 0}
.evidence .cmd{font-family:ui-monospace,monospace;font-size:12px;overflow-wrap:anywhere}
.evidence .host{color:var(--muted)}
.evidence .exit{color:var(--muted)}
.eo{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.deviation{background:#fff8c5;padding:4px 8px}
#filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:16px 0;
  position:sticky;top:0;background:var(--bg);padding:6px 0;z-index:1}
#filters input{width:260px;max-width:70vw}
figure.chart{margin:12px 0}
figcaption{font-weight:600}
svg text{font-size:11px;fill:var(--fg)}
svg .bar{fill:#54aeff}
svg .whisker{stroke:#0a3069;stroke-width:1.5}
svg .reference{stroke:var(--fail);stroke-dasharray:4 3}
svg .axis{fill:var(--muted)}
svg .fault rect{fill:#fff8c5;stroke:#d4a72c}svg .probe.ok{fill:var(--pass)}svg .probe.lost{fill:var(--fail)}
svg .probe.no-probe{fill:var(--skip)}
.hidden{display:none!important}td.cell.dim{opacity:.25}
@media (max-width:700px){
  body{font-size:13px}table{display:block;overflow-x:auto;max-width:100%}.eo{grid-template-columns:1fr}
  header,main{padding:0 8px}h1{font-size:17px}
}
`;
