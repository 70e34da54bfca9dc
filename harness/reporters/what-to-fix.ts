/**
 * @module The end-of-run "what to fix" block (certify and fleet): per host, each required check that kept it from
 * being certified, with its fix made concrete from what the check observed (model names instead of `<model>`).
 */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import { severityOf, verdictReason } from "../severity.ts";
import { terminalSafe, type Palette } from "./terminal-text.ts";

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The model names a check's `<model>` placeholder stands for, from its observed data (empty when unknown). */
function modelsFor(check: CheckRecord): string[] {
  const o = check.observed;
  switch (check.id) {
    case "memory.within-budget": {
      const rows = Array.isArray(o["instances"]) ? (o["instances"] as unknown[]) : [];
      return rows.flatMap((r) => (r && typeof r === "object" && typeof (r as { instance?: unknown }).instance === "string" ? [(r as { instance: string }).instance] : []));
    }
    // "Load the models this host should serve": the ones it serves now.
    case "listing.matches-standard":
      return strings(o["loaded"]);
    default: {
      const model = o["model"] ?? o["instanceId"];
      return typeof model === "string" ? [model] : [];
    }
  }
}

/** Only names that are safe to paste into a shell: a server-supplied id never becomes part of a command otherwise. */
export const SAFE_MODEL = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]*$/;

/**
 * The check's remedy with `<model>` filled in. A code span that names a placeholder is repeated once per model
 * (`lms unload a && lms unload b`); with no model known, the placeholder stays, so the text never lies.
 */
export function concreteRemedy(check: CheckRecord, hostUrl?: string): string | null {
  if (!check.remedy) return check.status === "error" && hostUrl && REACHABILITY_CHECKS.has(check.id) ? reachabilityFallback(check, hostUrl) : null;
  const models = modelsFor(check);
  if (models.length === 0 || !models.every((m) => SAFE_MODEL.test(m))) return check.remedy;
  return check.remedy.replace(/`([^`]*<model>[^`]*)`/g, (_span, code: string) => `\`${models.map((m) => code.replaceAll("<model>", m)).join(" && ")}\``);
}

/**
 * A check that errored without a remedy of its own (the harness could not finish it, e.g. the host did not answer)
 * still gets something to do: make the host reachable, then re-run.
 */
const REACHABILITY_CHECKS = new Set(["health.greeting", "surfaces.discovered"]);

/**
 * No server command here: the certificate does not hold the standard's port, bind address and CORS setting, and a
 * start command without them breaks the cors.* and bind.* checks (issue 11.1). Runs since then record a remedy
 * resolved against the standard for every such error; this covers older certificates.
 */
function reachabilityFallback(check: CheckRecord, hostUrl: string): string {
  if (/interrupted/i.test(check.reason)) return "The run was interrupted before lmcert could ask the host, so nothing is known about it yet: run lmcert again.";
  return `Check that LM Studio's server is running and reachable at ${hostUrl}: on the host, Developer → Start Server, with the port, "Serve on Local Network" and "Enable CORS" as your standard says (\`lmcert checks --json --standard <file>\` prints the exact command in health.greeting's remedy); check the URL and the firewall; then re-run.`;
}

/** The required checks that keep a host from being certified: failures first, then the undecided ones. */
export function blockingChecks(cert: Certificate): CheckRecord[] {
  const blocking = cert.checks.filter((c) => severityOf(c) === "failure" || severityOf(c) === "incomplete");
  return [...blocking.filter((c) => c.status === "failed"), ...blocking.filter((c) => c.status !== "failed")];
}

/** A required check that did not run only because a check it needs did not pass: the other one is the cause. */
export function waitsOnAnother(check: CheckRecord): boolean {
  return check.status === "skipped" && check.reason.startsWith("needs ");
}

export function renderWhatToFix(certificates: readonly Certificate[], p: Palette): string {
  const lines: string[] = [];
  for (const cert of certificates) {
    const blocking = blockingChecks(cert);
    const causes = blocking.filter((c) => !waitsOnAnother(c));
    const waiting = blocking.filter(waitsOnAnother).map((c) => c.id);
    const warnings = cert.checks.filter((c) => severityOf(c) === "warning").map((c) => c.id);
    if (blocking.length === 0 && !cert.interrupted) continue;
    lines.push(`  ${p.bold(terminalSafe(cert.host.name))} ${p.dim(terminalSafe(cert.host.url))} · ${verdictReason(cert.checks)}`);
    if (cert.interrupted) lines.push(`    ${p.yellow("!")} the run was interrupted: re-run it before trusting this result`);
    const shown = new Set<string>();
    for (const check of causes) {
      const mark = check.status === "failed" ? p.red("✖") : p.yellow("?");
      lines.push(`    ${mark} ${check.id} ${p.dim(`(${check.status})`)}: ${terminalSafe(check.reason.split("\n")[0] ?? "")}`);
      const fix = concreteRemedy(check, cert.host.url);
      if (fix && shown.has(fix)) lines.push(`      ${p.yellow("fix:")} as above`);
      else if (fix) lines.push(`      ${p.yellow("fix:")} ${terminalSafe(fix)}`);
      if (fix) shown.add(fix);
    }
    if (waiting.length > 0) lines.push(`    ${p.dim(`not run until the above pass: ${waiting.join(", ")}`)}`);
    if (warnings.length > 0) lines.push(`    ${p.dim(`warnings (optional, not blocking): ${warnings.join(", ")}`)}`);
  }
  if (lines.length === 0) return "";
  return `\n${p.bold("What to fix")}\n${lines.join("\n")}\n`;
}
