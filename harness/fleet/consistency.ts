/**
 * @module Fleet consistency: the seed's real bug is two hosts whose /v1/models mean different things. Each host
 * may pass or fail alone; this finding is about the fleet, and it is reported either way.
 */
import type { FleetSummary, HostSummary } from "../../contracts/fleet-summary.ts";

const DECIDED = new Set(["loaded-only", "all-available"]);

export function fleetConsistency(hosts: readonly HostSummary[]): FleetSummary["consistency"] {
  const listing: Record<string, string[]> = {};
  for (const host of hosts) (listing[host.listingBehaviour ?? "unknown"] ??= []).push(host.name);
  const findings: string[] = [];
  const decided = Object.keys(listing).filter((b) => DECIDED.has(b));
  if (decided.length > 1) {
    const parts = decided.map((b) => `${(listing[b] ?? []).join(", ")} ${(listing[b] ?? []).length === 1 ? "lists" : "list"} ${b}`);
    findings.push(`GET /v1/models means different things across the fleet: ${parts.join("; ")}. Code that reads it as "loaded" is wrong on the all-available hosts; use readModelState().`);
  }
  const versions = new Set(hosts.map((h) => h.lmstudioVersion).filter((v): v is string => v !== null));
  if (versions.size > 1) findings.push(`LM Studio versions differ: ${[...versions].sort().join(", ")}`);
  return { consistent: findings.length === 0, findings, listing };
}
