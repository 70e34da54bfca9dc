/** @module Markdown: the onboarding checklist per host, ✅/❌/⚠️ per line, the reason and fix under each problem. */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import type { FleetSummary } from "../../contracts/fleet-summary.ts";
import { z } from "zod";
import { jitUnloadHeadline } from "../local/lmstudio-settings.ts";
import { severityOf, verdictReason } from "../severity.ts";
import { markdown as md, markdownWithCode } from "./escape.ts";
import { concreteRemedy } from "./what-to-fix.ts";

/** The onboarding checklist's lines, each backed by the checks that prove it. */
const CHECKLIST: readonly { readonly line: (cert: Certificate) => string; readonly checks: readonly string[] }[] = [
  { line: () => "LM Studio server answers", checks: ["health.greeting", "surfaces.discovered"] },
  { line: (c) => `Listing behaviour: /v1/models is ${standardListing(c)}`, checks: ["listing.matches-standard", "listing.consistent-across-surfaces", "state.authoritative-surface"] },
  { line: () => "CORS for all origins", checks: ["cors.preflight", "cors.actual-request", "cors.browser", "cors.disabled", "cors.private-network"] },
  { line: () => "Listens on 0.0.0.0 on the standard's port", checks: ["bind.port", "bind.reachable-off-loopback", "bind.all-interfaces"] },
  { line: () => "Authentication as the standard says", checks: ["auth.required", "auth.token-accepted", "auth.not-required"] },
  { line: () => "Required models downloaded", checks: ["models.required-present"] },
  { line: () => "Loaded models within the memory budget", checks: ["memory.within-budget", "memory.over-budget-refused"] },
  { line: () => "Models load and unload on demand", checks: ["lifecycle.load", "lifecycle.unload", "lifecycle.no-implicit-load", "lifecycle.no-duplicate-instances"] },
  { line: (c) => `LM Studio's saved server settings match (--local)${jitUnloadNote(c)}`, checks: ["config.local-settings"] },
];

/** TTL and auto-evict as --local read them (issue 11.2): they explain a nightly run that sees a different loaded set. */
function jitUnloadNote(cert: Certificate): string {
  const read = JitUnloadObserved.safeParse(cert.checks.find((c) => c.id === "config.local-settings")?.observed["jitUnload"]);
  return read.success ? `; ${jitUnloadHeadline(read.data)}` : "";
}
const JitUnloadObserved = z.object({ ttlSeconds: z.number().nullable(), autoEvict: z.boolean() });

function standardListing(cert: Certificate): string {
  const record = cert.checks.find((c) => c.id === "listing.matches-standard");
  const wanted = record?.observed["standard"];
  const seen = record?.observed["behaviour"];
  return `${typeof wanted === "string" ? wanted : "as the standard says"}${typeof seen === "string" ? ` (observed: ${seen})` : ""}`;
}

/** By the severity model: ❌ a required check failed; ⚠️ undecided or a warning; ✅ passed; ➖ nothing ran. */
function mark(records: readonly CheckRecord[]): "✅" | "❌" | "⚠️" | "➖" {
  const severities = records.map(severityOf);
  if (severities.includes("failure")) return "❌";
  if (severities.includes("incomplete") || severities.includes("warning")) return "⚠️";
  return severities.includes("ok") ? "✅" : "➖";
}

function problemLines(r: CheckRecord, hostUrl: string): string[] {
  const severity = severityOf(r);
  const kind = r.required ? `required, ${r.status}` : `optional, ${r.status}: warning`;
  const out = [`  - ${severity === "failure" ? "❌" : "⚠️"} \`${r.id}\` (${kind}): ${md(r.reason)}`];
  const fix = concreteRemedy(r, hostUrl);
  if (fix) out.push(`    - Fix: ${markdownWithCode(fix)}`);
  return out;
}

function hostSection(cert: Certificate): string {
  const verdict = cert.verdict === "certified" ? "✅ certified" : cert.verdict === "not-certified" ? "❌ not certified" : "⚠️ incomplete";
  const out = [`## ${md(cert.host.name)}: ${verdict} (${md(verdictReason(cert.checks))})`, ""];
  out.push(`${md(cert.host.url)} · LM Studio ${md(cert.host.lmstudioVersion ?? "version unknown")} · standard ${md(cert.standard.name)} v${cert.standard.version} · valid until ${cert.validUntil}`, "");
  if (cert.interrupted) out.push(`⚠️ The run was interrupted at ${cert.interrupted.at}: these results are partial. Re-run before trusting them.`, "");
  const listed = new Set(CHECKLIST.flatMap((i) => i.checks));
  const items = [...CHECKLIST.map((i) => ({ line: i.line(cert), checks: i.checks })), { line: "Other checks", checks: cert.checks.map((c) => c.id).filter((id) => !listed.has(id)) }];
  for (const item of items) {
    const records = cert.checks.filter((c) => item.checks.includes(c.id));
    if (records.length === 0) continue;
    const symbol = mark(records);
    // ➖: nothing here ran; say why, so no line is left without its reason.
    const why = symbol === "➖" ? ` (not checked: ${md(records[0]?.reason ?? "")})` : "";
    out.push(`- ${symbol} ${md(item.line)}${why}`);
    for (const r of records.filter((x) => ["failure", "incomplete", "warning"].includes(severityOf(x)))) out.push(...problemLines(r, cert.host.url));
  }
  return out.join("\n");
}

export function renderMarkdown(summary: FleetSummary | null, certificates: readonly Certificate[]): string {
  const out = ["# lmcert onboarding checklist", ""];
  if (summary) {
    out.push(`${summary.counts.certified} of ${summary.counts.hosts} hosts certified against ${md(summary.standard.name)} v${summary.standard.version}.`, "");
    if (summary.interrupted) out.push("⚠️ This run was interrupted: results are partial.", "");
    out.push(summary.consistency.consistent ? "Fleet consistency: ✅ every host behaves alike." : `Fleet consistency: ❌ ${summary.consistency.findings.map(md).join(" ")}`, "");
  }
  out.push("Legend: ❌ a required check failed · ⚠️ a required check could not decide, or an optional check did not pass (a warning, never a failure) · ✅ passed · ➖ not checked.", "");
  out.push(...certificates.map(hostSection).flatMap((s) => [s, ""]));
  return out.join("\n");
}
