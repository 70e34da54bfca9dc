/** @module One host's line in the fleet roll-up, derived from its certificate (the one result tree). */
import type { Certificate } from "../../contracts/certificate.ts";
import type { HostSummary } from "../../contracts/fleet-summary.ts";
import { severityOf } from "../severity.ts";

function observed(cert: Certificate, id: string): Readonly<Record<string, unknown>> {
  return cert.checks.find((c) => c.id === id)?.observed ?? {};
}

function count(value: unknown): number | null {
  return Array.isArray(value) ? value.length : null;
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
    modelsLoaded: count(state["loaded"]),
    modelsAvailable: count(state["available"]),
    drift,
    validUntil: cert.validUntil,
    finishedAt: cert.finishedAt,
    certificate: path,
    warnings: cert.checks.filter((c) => severityOf(c) === "warning").map((c) => c.id),
    interrupted: cert.interrupted !== undefined,
  };
}
