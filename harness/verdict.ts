/** @module The verdict rule lives in severity.ts (one model for the verdict and every reporter); counts and exit codes here. */
import type { CheckRecord, Certificate, Verdict } from "../contracts/certificate.ts";

export { verdictFor } from "./severity.ts";

export function countStatuses(checks: readonly CheckRecord[]): Certificate["counts"] {
  const counts = { passed: 0, failed: 0, inconclusive: 0, skipped: 0, error: 0 };
  for (const check of checks) counts[check.status] += 1;
  return counts;
}

/** CLI exit code: 0 certified, 1 anything else. Usage and harness errors (2) never reach a verdict. */
export function exitCodeFor(verdict: Verdict): 0 | 1 {
  return verdict === "certified" ? 0 : 1;
}
