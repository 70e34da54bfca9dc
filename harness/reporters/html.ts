/**
 * @module The HTML fleet page an operator opens in the morning: one self-contained file (no network access).
 * Per-host cards (verdict, URL, LM Studio version, listing behaviour, what to fix, the last 30 verdicts), then the
 * check × host grid (required checks marked, warnings amber); click a cell for its reason, fix and evidence.
 */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import type { FleetSummary, HostSummary } from "../../contracts/fleet-summary.ts";
import type { HistoryEntry } from "../history.ts";
import { severityOf, verdictReason, type Severity } from "../severity.ts";
import { html, scriptJson } from "./escape.ts";
import { blockingChecks, concreteRemedy, waitsOnAnother } from "./what-to-fix.ts";

/** Colours by severity (severity.ts): red only for a required check that failed; warnings amber. */
const STYLE = `
:root{--ok:#d7f0d7;--ok-ink:#1c6b2a;--fail:#f6c9c9;--fail-ink:#a11d1d;--incomplete:#fcd9b0;--incomplete-ink:#8a4b00;
--warn:#ffefb0;--warn-ink:#7a5b00;--skip:#eeeeee;--skip-ink:#777;--line:#d8d8d8}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:20px 24px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.sub{color:#555;margin:0 0 12px}
.banner{border-radius:6px;padding:8px 12px;margin:8px 0}
.banner.interrupted{background:var(--incomplete);color:var(--incomplete-ink);font-weight:600}
.finding{background:#fff3cd;border:1px solid #e0c060;padding:8px;margin:8px 0;border-radius:6px}
.legend{display:flex;gap:12px;flex-wrap:wrap;font-size:12px;color:#444;margin:8px 0}
.legend span{display:inline-flex;align-items:center;gap:4px}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;border:1px solid rgba(0,0,0,.15)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:12px}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid var(--skip-ink);border-radius:8px;padding:12px 14px}
.card.certified{border-left-color:var(--ok-ink)}.card.not-certified{border-left-color:var(--fail-ink)}
.card.incomplete{border-left-color:var(--incomplete-ink)}
.card header{display:flex;justify-content:space-between;align-items:baseline;gap:8px}
.card h3{margin:0;font-size:16px}
.badge{font-size:12px;font-weight:600;padding:2px 8px;border-radius:10px;white-space:nowrap}
.badge.certified{background:var(--ok);color:var(--ok-ink)}.badge.not-certified{background:var(--fail);color:var(--fail-ink)}
.badge.incomplete{background:var(--incomplete);color:var(--incomplete-ink)}
.why{color:#444;margin:2px 0 8px;font-size:13px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:0 0 8px;font-size:13px}
dt{color:#666}dd{margin:0;word-break:break-all}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
.fix{margin:6px 0 0;padding:0;list-style:none}
.fix li{margin:0 0 6px;padding:6px 8px;border-radius:6px;background:#fdf3f3;border:1px solid #f0d0d0}
.fix li.incomplete{background:#fff6ec;border-color:#f3d6b5}
.fix .reason{display:block;color:#444;font-size:12px}
.fix .remedy{display:block;margin-top:2px;font-size:12px}
.warnings{font-size:12px;color:var(--warn-ink);background:#fffaf0;border:1px solid #f2e2a8;border-radius:6px;padding:4px 8px;margin-top:6px}
.history{display:flex;gap:2px;align-items:flex-end;margin:6px 0 2px}
.history .run{width:10px;height:18px;border-radius:2px;border:1px solid rgba(0,0,0,.12)}
.history .run.upgrade{border-left:3px solid #3b6fd8;width:12px}
.history .run.interrupted{background:repeating-linear-gradient(45deg,#ccc 0 3px,#fff 3px 6px)}
.history .run.partial{opacity:.55}
.history-label{font-size:11px;color:#777}
.run.certified{background:var(--ok-ink)}.run.not-certified{background:var(--fail-ink)}.run.incomplete{background:#e2901e}
table{border-collapse:collapse;background:#fff}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left}
th.check{font-family:ui-monospace,monospace;font-weight:normal;white-space:nowrap}
.req{font:600 10px system-ui;padding:1px 5px;border-radius:8px;margin-left:6px;vertical-align:1px}
.req.required{background:#222;color:#fff}.req.optional{background:#e6e6e6;color:#555}
td.cell{cursor:pointer;text-align:center;min-width:96px;font-size:13px}
td.sev-ok{background:var(--ok);color:var(--ok-ink)}td.sev-failure{background:var(--fail);color:var(--fail-ink);font-weight:600}
td.sev-incomplete{background:var(--incomplete);color:var(--incomplete-ink)}td.sev-warning{background:var(--warn);color:var(--warn-ink)}
td.sev-skipped,td.sev-interrupted{background:var(--skip);color:var(--skip-ink)}
td.cell.selected{outline:2px solid #3b6fd8;outline-offset:-2px}
.grid-wrap{display:flex;gap:16px;align-items:flex-start;margin-top:8px}
#detail{flex:1;min-width:320px;position:sticky;top:12px;max-height:calc(100vh - 24px);overflow:auto;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:12px;background:#fff;border:1px solid var(--line);padding:12px;border-radius:6px}
body.only-problems tr.all-passed{display:none}`;

const SCRIPT = `
const data = JSON.parse(document.getElementById("lmcert-data").textContent);
const detail = document.getElementById("detail");
for (const cell of document.querySelectorAll("td.cell")) {
  cell.addEventListener("click", () => {
    for (const c of document.querySelectorAll("td.cell.selected")) c.classList.remove("selected");
    cell.classList.add("selected");
    const r = data[cell.dataset.host][cell.dataset.check];
    if (!r) { detail.textContent = cell.dataset.host + " · " + cell.dataset.check + ": not in this host's certificate"; return; }
    detail.textContent = [cell.dataset.host + " · " + cell.dataset.check + " · " + r.status + (r.required ? " (required)" : " (optional)"),
      r.carriedOver ? "Carried over: passed at " + r.carriedOver.at + ", not re-run" : "",
      r.reason, r.remedy ? "Fix: " + r.remedy : "", "Evidence:", JSON.stringify(r.evidence, null, 2)].filter(Boolean).join("\\n\\n");
  });
}
document.getElementById("only-problems").addEventListener("change", (e) => {
  document.body.classList.toggle("only-problems", e.target.checked);
});`;

const VERDICT_LABEL: Record<Certificate["verdict"], string> = { certified: "certified", "not-certified": "not certified", incomplete: "incomplete" };
const CELL_LABEL: Record<Severity, (r: CheckRecord) => string> = {
  ok: (r) => (r.carriedOver ? "passed ↺" : "passed"),
  failure: () => "✖ failed",
  incomplete: (r) => `? ${r.status}`,
  warning: (r) => `⚠ ${r.status}`,
  skipped: () => "skipped",
  interrupted: () => "not run (interrupted)",
};

export interface HtmlOptions {
  /** Each host's last runs, oldest first (from `--out`'s history.jsonl), for the history strip. */
  readonly history?: ReadonlyMap<string, readonly HistoryEntry[]>;
  /**
   * The certificate with its evidence, asked for one host at a time when the page reaches that host's data: a
   * fleet keeps its certificates without evidence and reads it back from the files (harness/fleet/run-fleet.ts).
   * Default: the certificates as given.
   */
  readonly evidenceSource?: (index: number) => Certificate | undefined;
}

/** Inline code spans (`…`) in a fix become <code>; everything else is escaped text. */
function withCode(text: string): string {
  const parts = text.split("`");
  return parts.map((part, i) => (i % 2 === 1 && i < parts.length - (parts.length % 2 === 0 ? 1 : 0) ? `<code>${html(part)}</code>` : html(part))).join("");
}

function historyStrip(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return "";
  const runs = entries.map((e, i) => {
    const previous = entries[i - 1];
    const upgrade = previous && previous.lmstudioVersion !== e.lmstudioVersion;
    const classes = ["run", e.verdict, e.interrupted ? "interrupted" : "", e.partial ? "partial" : "", upgrade ? "upgrade" : ""].filter(Boolean).join(" ");
    const title = `${e.finishedAt} · ${VERDICT_LABEL[e.verdict]}${e.interrupted ? " (interrupted)" : ""}${e.partial ? " (partial run)" : ""} · LM Studio ${e.lmstudioVersion ?? "unknown"}${upgrade ? ` (was ${previous.lmstudioVersion ?? "unknown"})` : ""}`;
    return `<span class="${classes}" title="${html(title)}" data-verdict="${e.verdict}"></span>`;
  });
  const first = entries[0]?.finishedAt.slice(0, 10) ?? "";
  return `<div class="history" aria-label="last ${entries.length} runs">${runs.join("")}</div><div class="history-label">last ${entries.length} run${entries.length === 1 ? "" : "s"}, since ${html(first)} · oldest left · a blue edge marks an LM Studio version change</div>`;
}

/** "2026-11-26 02:17 UTC": the run's time without seconds (the full time is in the title). */
function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The stated version; else the range the surfaces imply (LM Studio does not always state one); else why not. */
function versionText(cert: Certificate): string {
  if (cert.host.lmstudioVersion) return cert.host.lmstudioVersion;
  const range = cert.checks.find((c) => c.id === "surfaces.discovered")?.observed["versionRange"];
  if (typeof range === "string") return `${range} (not stated; implied by its surfaces)`;
  const greeting = cert.checks.find((c) => c.id === "health.greeting");
  return greeting?.status === "passed" ? "unknown (not stated)" : "unknown (not reached)";
}

function card(cert: Certificate, host: HostSummary | undefined, history: readonly HistoryEntry[]): string {
  const listing = cert.checks.find((c) => c.id === "listing.matches-standard");
  const wanted = typeof listing?.observed["standard"] === "string" ? listing.observed["standard"] : null;
  const behaviour = host?.listingBehaviour ?? null;
  const listingText = behaviour ? `${behaviour}${wanted ? (behaviour === wanted ? " (as the standard says)" : ` (standard: ${wanted})`) : ""}` : `unknown${listing ? ` (${listing.status})` : ""}`;
  const models = host && (host.modelsLoaded !== null || host.modelsAvailable !== null) ? `${host.modelsLoaded ?? "?"} loaded / ${host.modelsAvailable ?? "?"} downloaded` : "unknown";
  const blocking = blockingChecks(cert).filter((c) => !waitsOnAnother(c));
  const waiting = blockingChecks(cert).filter(waitsOnAnother);
  const warnings = cert.checks.filter((c) => severityOf(c) === "warning");
  const shown = new Set<string>();
  const fixes = blocking.map((c) => {
    const fix = concreteRemedy(c, cert.host.url);
    const remedy = fix === null ? "" : shown.has(fix) ? `<span class="remedy"><b>Fix:</b> as above</span>` : `<span class="remedy"><b>Fix:</b> ${withCode(fix)}</span>`;
    if (fix) shown.add(fix);
    return `<li class="${severityOf(c)}"><span class="mono">${c.status === "failed" ? "✖" : "?"} ${html(c.id)}</span> <small>(required, ${html(c.status)})</small><span class="reason">${html(c.reason.split("\n")[0] ?? "")}</span>${remedy}</li>`;
  });
  return `<section class="card ${cert.verdict}" data-host="${html(cert.host.name)}">
<header><h3>${html(cert.host.name)}</h3><span class="badge ${cert.verdict}">${VERDICT_LABEL[cert.verdict]}${cert.interrupted ? " · interrupted" : ""}</span></header>
<p class="why">${html(verdictReason(cert.checks))}</p>
<dl><dt>URL</dt><dd class="mono url">${html(cert.host.url)}</dd>
<dt>LM Studio</dt><dd class="version">${html(versionText(cert))}</dd>
<dt>Listing</dt><dd class="listing">${html(listingText)}</dd>
<dt>Models</dt><dd>${html(models)}</dd>
<dt>Checked</dt><dd title="${html(cert.finishedAt)}">${html(shortTime(cert.finishedAt))} · valid until ${html(cert.validUntil.slice(0, 10))}</dd></dl>
${historyStrip(history)}
${fixes.length ? `<h4 style="margin:8px 0 4px;font-size:13px">What to fix</h4><ul class="fix">${fixes.join("")}</ul>` : ""}
${waiting.length ? `<div class="why"><small>Not run until the above pass: ${waiting.map((w) => `<span class="mono">${html(w.id)}</span>`).join(", ")}</small></div>` : ""}
${warnings.length ? `<div class="warnings">⚠ ${warnings.length} warning${warnings.length === 1 ? "" : "s"} (optional, never blocking): ${warnings.map((w) => `<span class="mono">${html(w.id)}</span>`).join(", ")}</div>` : ""}
</section>`;
}

/**
 * The page in pieces, in order: a fleet of 200 hosts makes a page of several MB, and writing it piece by piece
 * keeps only one row or one host's evidence in memory at a time.
 */
export function* renderHtml(summary: FleetSummary, certificates: readonly Certificate[], options: HtmlOptions = {}): Generator<string> {
  const checkIds = [...new Set(certificates.flatMap((c) => c.checks.map((x) => x.id)))];
  const findings = summary.consistency.findings.map((f) => `<div class="finding">${html(f)}</div>`).join("");
  const hostSummaries = new Map(summary.hosts.map((h) => [h.name, h]));
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>lmcert fleet report</title><style>${STYLE}</style></head>
<body>
<h1>lmcert fleet report</h1>
<p class="sub">${summary.counts.certified} of ${summary.counts.hosts} hosts certified against ${html(summary.standard.name)} v${summary.standard.version} · ${summary.counts.notCertified} not certified · ${summary.counts.incomplete} incomplete · generated ${html(summary.generatedAt)}</p>
${summary.interrupted ? `<div class="banner interrupted">This run was interrupted: results are partial. Re-run before trusting them.</div>` : ""}
${findings}
<div class="legend"><span><i class="sw" style="background:var(--fail)"></i>required check failed</span><span><i class="sw" style="background:var(--incomplete)"></i>required check undecided</span><span><i class="sw" style="background:var(--warn)"></i>warning (optional check did not pass)</span><span><i class="sw" style="background:var(--ok)"></i>passed (↺ carried over)</span><span><i class="sw" style="background:var(--skip)"></i>skipped</span></div>
<h2>Hosts</h2>
<div class="cards">`;
  for (const cert of certificates) yield card(cert, hostSummaries.get(cert.host.name), options.history?.get(cert.host.name) ?? []);
  yield `</div>
<h2>Checks</h2>
<label><input type="checkbox" id="only-problems"> show only checks with problems</label>
<div class="grid-wrap">
<table id="matrix">`;
  yield `<tr><th>check</th>${certificates.map((c) => `<th>${html(c.host.name)}<br><small>${VERDICT_LABEL[c.verdict]}</small></th>`).join("")}</tr>`;
  for (const id of checkIds) {
    const records = certificates.map((c) => c.checks.find((x) => x.id === id));
    const required = records.some((r) => r?.required);
    const cells = certificates.map((c, i) => {
      const r = records[i];
      if (!r) return `<td class="cell skipped sev-skipped" data-host="${html(c.host.name)}" data-check="${html(id)}">—</td>`;
      const severity = severityOf(r);
      return `<td class="cell ${r.status} sev-${severity}" data-host="${html(c.host.name)}" data-check="${html(id)}" data-severity="${severity}">${html(CELL_LABEL[severity](r))}</td>`;
    });
    const allPassed = records.every((r) => !r || ["ok", "skipped", "interrupted"].includes(severityOf(r)));
    yield `<tr class="${allPassed ? "all-passed" : "has-problem"}"><th class="check">${html(id)}<span class="req ${required ? "required" : "optional"}">${required ? "required" : "optional"}</span></th>${cells.join("")}</tr>`;
  }
  yield `</table>
<div id="detail">Click a cell for its reason, fix and evidence.</div>
</div>
<script type="application/json" id="lmcert-data">{`;
  // One JSON object keyed by host name, written one host at a time.
  for (const [index, c] of certificates.entries()) {
    const evidence = new Map((options.evidenceSource?.(index) ?? c).checks.map((x) => [x.id, x.evidence]));
    const checks = Object.fromEntries(
      c.checks.map((x) => [x.id, { status: x.status, required: x.required, reason: x.reason, remedy: concreteRemedy(x, c.host.url), evidence: evidence.get(x.id) ?? x.evidence, carriedOver: x.carriedOver ?? null }]),
    );
    yield `${index === 0 ? "" : ","}${scriptJson(c.host.name)}:${scriptJson(checks)}`;
  }
  yield `}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
