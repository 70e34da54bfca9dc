/** @module Markdown: the onboarding checklist per host, ✅/❌/⚠️ per line, the remedy under each failure. */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import type { FleetSummary } from "../../contracts/fleet-summary.ts";
import { markdown as md } from "./escape.ts";

/** The onboarding checklist's lines, each backed by the checks that prove it. */
const CHECKLIST: readonly { readonly line: (cert: Certificate) => string; readonly checks: readonly string[] }[] = [
  { line: () => "LM Studio server answers", checks: ["health.greeting", "surfaces.discovered"] },
  { line: (c) => `Listing behaviour: /v1/models is ${standardListing(c)}`, checks: ["listing.matches-standard", "listing.consistent-across-surfaces", "state.authoritative-surface"] },
  { line: () => "CORS for all origins", checks: ["cors.preflight", "cors.actual-request", "cors.browser", "cors.disabled"] },
  { line: () => "Listens on 0.0.0.0 on the standard's port", checks: ["bind.port", "bind.reachable-off-loopback", "bind.all-interfaces"] },
  { line: () => "Authentication as the standard says", checks: ["auth.required", "auth.token-accepted", "auth.not-required"] },
  { line: () => "Required models downloaded", checks: ["models.required-present"] },
  { line: () => "Loaded models within the memory budget", checks: ["memory.within-budget", "memory.over-budget-refused"] },
  { line: () => "Models load and unload on demand", checks: ["lifecycle.load", "lifecycle.unload", "lifecycle.no-implicit-load", "lifecycle.no-duplicate-instances"] },
];

function standardListing(cert: Certificate): string {
  const record = cert.checks.find((c) => c.id === "listing.matches-standard");
  const wanted = record?.observed["standard"];
  const seen = record?.observed["behaviour"];
  return `${typeof wanted === "string" ? wanted : "as the standard says"}${typeof seen === "string" ? ` (observed: ${seen})` : ""}`;
}

function mark(records: readonly CheckRecord[]): "✅" | "❌" | "⚠️" {
  const relevant = records.filter((r) => r.status !== "skipped" || r.required);
  if (relevant.some((r) => r.status === "failed" && r.required)) return "❌";
  if (relevant.length > 0 && relevant.every((r) => r.status === "passed" || (!r.required && r.status !== "error"))) return "✅";
  return "⚠️";
}

function hostSection(cert: Certificate): string {
  const out = [`## ${md(cert.host.name)}: ${cert.verdict === "certified" ? "✅ certified" : cert.verdict === "not-certified" ? "❌ not certified" : "⚠️ incomplete"}`, ""];
  out.push(`${md(cert.host.url)} · LM Studio ${md(cert.host.lmstudioVersion ?? "version unknown")} · standard ${md(cert.standard.name)} v${cert.standard.version} · valid until ${cert.validUntil}`, "");
  for (const item of CHECKLIST) {
    const records = cert.checks.filter((c) => item.checks.includes(c.id));
    if (records.length === 0) continue;
    out.push(`- ${mark(records)} ${md(item.line(cert))}`);
    for (const r of records.filter((x) => x.status !== "passed" && (x.required || x.status === "failed"))) {
      out.push(`  - \`${r.id}\` ${r.status}: ${md(r.reason)}`);
      if (r.remedy) out.push(`    - Fix: ${md(r.remedy)}`);
    }
  }
  return out.join("\n");
}

export function renderMarkdown(summary: FleetSummary | null, certificates: readonly Certificate[]): string {
  const out = ["# lmcert onboarding checklist", ""];
  if (summary) {
    out.push(`${summary.counts.certified} of ${summary.counts.hosts} hosts certified against ${md(summary.standard.name)} v${summary.standard.version}.`, "");
    out.push(summary.consistency.consistent ? "Fleet consistency: ✅ every host behaves alike." : `Fleet consistency: ❌ ${summary.consistency.findings.map(md).join(" ")}`, "");
  }
  out.push(...certificates.map(hostSection).flatMap((s) => [s, ""]));
  return out.join("\n");
}
