/** @module The HTML fleet page: one self-contained file, host × check matrix, click a cell for its evidence. */
import type { Certificate } from "../../contracts/certificate.ts";
import type { FleetSummary } from "../../contracts/fleet-summary.ts";
import { html, scriptJson } from "./escape.ts";

const STYLE = `
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th.check{font-family:ui-monospace,monospace;font-weight:normal}
td.cell{cursor:pointer;text-align:center;min-width:90px}
td.passed{background:#d9f2d9}td.failed{background:#f8d0d0}td.error{background:#f4b6b6}
td.inconclusive{background:#fbe7b0}td.skipped{background:#eee;color:#888}
#detail{white-space:pre-wrap;font-family:ui-monospace,monospace;background:#f7f7f7;border:1px solid #ddd;padding:12px;margin-top:16px}
.finding{background:#fff3cd;border:1px solid #e0c060;padding:8px;margin:8px 0}
body.only-problems tr.all-passed{display:none}`;

const SCRIPT = `
const data = JSON.parse(document.getElementById("lmcert-data").textContent);
const detail = document.getElementById("detail");
for (const cell of document.querySelectorAll("td.cell")) {
  cell.addEventListener("click", () => {
    const r = data[cell.dataset.host][cell.dataset.check];
    detail.textContent = [cell.dataset.host + " · " + cell.dataset.check + " · " + r.status, r.reason,
      r.remedy ? "Fix: " + r.remedy : "", "Evidence:", JSON.stringify(r.evidence, null, 2)].filter(Boolean).join("\\n\\n");
  });
}
document.getElementById("only-problems").addEventListener("change", (e) => {
  document.body.classList.toggle("only-problems", e.target.checked);
});`;

/**
 * The page in pieces, in order: a fleet of 200 hosts makes a page of several MB, and writing it piece by piece
 * keeps only one row or one host's evidence in memory at a time.
 */
export function* renderHtml(summary: FleetSummary, certificates: readonly Certificate[]): Generator<string> {
  const checkIds = [...new Set(certificates.flatMap((c) => c.checks.map((x) => x.id)))];
  const findings = summary.consistency.findings.map((f) => `<div class="finding">${html(f)}</div>`).join("");
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lmcert fleet report</title><style>${STYLE}</style></head>
<body>
<h1>lmcert fleet report</h1>
<p>${summary.counts.certified} of ${summary.counts.hosts} hosts certified against ${html(summary.standard.name)} v${summary.standard.version} · generated ${html(summary.generatedAt)}</p>
${findings}
<label><input type="checkbox" id="only-problems"> show only checks with problems</label>
<table id="matrix">`;
  yield `<tr><th>check</th>${certificates.map((c) => `<th>${html(c.host.name)}<br><small>${html(c.verdict)}</small></th>`).join("")}</tr>`;
  for (const id of checkIds) {
    const cells = certificates.map((c) => {
      const status = c.checks.find((x) => x.id === id)?.status ?? "skipped";
      return `<td class="cell ${status}" data-host="${html(c.host.name)}" data-check="${html(id)}">${status}</td>`;
    });
    const allPassed = certificates.every((c) => ["passed", "skipped"].includes(c.checks.find((x) => x.id === id)?.status ?? "skipped"));
    yield `<tr class="${allPassed ? "all-passed" : "has-problem"}"><th class="check">${html(id)}</th>${cells.join("")}</tr>`;
  }
  yield `</table>
<div id="detail">Click a cell for its reason, remedy and evidence.</div>
<script type="application/json" id="lmcert-data">{`;
  // One JSON object keyed by host name, written one host at a time.
  for (const [index, c] of certificates.entries()) {
    const checks = Object.fromEntries(c.checks.map((x) => [x.id, { status: x.status, reason: x.reason, remedy: x.remedy, evidence: x.evidence }]));
    yield `${index === 0 ? "" : ","}${scriptJson(c.host.name)}:${scriptJson(checks)}`;
  }
  yield `}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
