/** @module The verdict rule: certified only when every required check passed. Inconclusive never counts as pass. */
import type { CheckRecord, Certificate, Verdict } from "../contracts/certificate.ts";

export function verdictFor(checks: readonly CheckRecord[]): Verdict {
  const required = checks.filter((c) => c.required);
  if (required.some((c) => c.status === "failed")) return "not-certified";
  if (required.length > 0 && required.every((c) => c.status === "passed")) return "certified";
  return "incomplete";
}

export function countStatuses(checks: readonly CheckRecord[]): Certificate["counts"] {
  const counts = { passed: 0, failed: 0, inconclusive: 0, skipped: 0, error: 0 };
  for (const check of checks) counts[check.status] += 1;
  return counts;
}

/** CLI exit code: 0 certified, 1 anything else. Usage and harness errors (2) never reach a verdict. */
export function exitCodeFor(verdict: Verdict): 0 | 1 {
  return verdict === "certified" ? 0 : 1;
}
