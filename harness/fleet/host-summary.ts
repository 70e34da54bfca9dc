/** @module One host's line in the fleet roll-up, derived from its certificate (the one result tree). */
import type { Certificate } from "../../contracts/certificate.ts";
import type { HostSummary } from "../../contracts/fleet-summary.ts";
import { severityOf } from "../severity.ts";
import { MUTATIONS_NOT_ALLOWED } from "../runner.ts";

function observed(cert: Certificate, id: string): Readonly<Record<string, unknown>> {
  return cert.checks.find((c) => c.id === id)?.observed ?? {};
}

/** The stated count, else the list's length (certificates from before lists were capped at 50 ids). */
function count(stated: unknown, list: unknown): number | null {
  if (typeof stated === "number") return stated;
  return Array.isArray(list) ? list.length : null;
}

export function summarizeCertificate(cert: Certificate, path: string | null): HostSummary {
  const state = observed(cert, "state.authoritative-surface");
  const behaviour = observed(cert, "listing.matches-standard")["behaviour"];
  const drift: Record<string, string[]> = {};
  for (const check of cert.checks.filter((c) => c.id.startsWith("schema."))) {
    const fields = check.observed["drift"];
    if (Array.isArray(fields)) drift[check.id] = fields.map(String);
  }
  return {
    name: cert.host.name,
    url: cert.host.url,
    verdict: cert.verdict,
    lmstudioVersion: cert.host.lmstudioVersion,
    listingBehaviour: typeof behaviour === "string" ? behaviour : null,
    checks: Object.fromEntries(cert.checks.map((c) => [c.id, c.status])),
    modelsLoaded: count(state["loadedCount"], state["loaded"]),
    modelsAvailable: count(state["availableCount"], state["available"]),
    drift,
    validUntil: cert.validUntil,
    finishedAt: cert.finishedAt,
    certificate: path,
    warnings: cert.checks.filter((c) => severityOf(c) === "warning").map((c) => c.id),
    interrupted: cert.interrupted !== undefined,
    required: cert.checks.filter((c) => c.required).map((c) => c.id),
    notSelected: notSelected(cert),
  };
}

/** The checks the run chose not to run (--only/--skip, or mutating without --allow-mutations), not ones the host made skip. */
function notSelected(cert: Certificate): string[] {
  const deselected = new Set(cert.run.skippedChecks);
  return cert.checks.filter((c) => c.status === "skipped" && (deselected.has(c.id) || c.reason === MUTATIONS_NOT_ALLOWED)).map((c) => c.id);
}
