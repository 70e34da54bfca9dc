/**
 * @module The severity model: what one check's result means for the host, used by the verdict and by every
 * reporter (console, JUnit, Prometheus, Markdown, HTML), so they can never disagree.
 *
 * - `failure`: a required check failed. The host is not certified.
 * - `incomplete`: a required check could not decide (inconclusive, error, skipped). Not certified either.
 * - `warning`: an optional check did not pass. Worth a look; never a failure, never red in CI or alerting
 *   (issue 12: `cors.private-network` has no LM Studio setting, so it must not keep CI red for good).
 * - `ok`: passed. `skipped`: an optional check that did not run.
 * - `interrupted`: an optional check the run's interruption (Ctrl-C, SIGTERM) left undecided. Nothing is known
 *   about the host, so it is "not run (interrupted)", never a warning (a cut-off run would otherwise read
 *   "10 warnings"). A required check left undecided stays `incomplete`: it still keeps the host uncertified.
 */
import type { CheckRecord, Verdict } from "../contracts/certificate.ts";

export type Severity = "ok" | "failure" | "incomplete" | "warning" | "skipped" | "interrupted";

/**
 * The fix for a check the run's interruption (Ctrl-C, SIGTERM) left undecided: nothing is known about the host, so
 * no server fix (a "start the server" or "did not answer in time" fix would send the operator after a fault that
 * may not exist). It is also how the severity model recognises such a check.
 */
export const RUN_INTERRUPTED = "The run was interrupted (Ctrl-C or SIGTERM) before this check could finish, so nothing is known about it yet: run lmcert again.";

/** What severityOf reads: the status, whether it is required, and (to tell an interruption) the remedy. */
export type Judged = Pick<CheckRecord, "required" | "status"> & { readonly remedy?: CheckRecord["remedy"] };

/** The check was left undecided by the run's interruption (its remedy says so), not by the host. */
export function interruptedCheck(check: Judged): boolean {
  return check.status === "error" && check.remedy === RUN_INTERRUPTED;
}

export function severityOf(check: Judged): Severity {
  if (check.status === "passed") return "ok";
  if (check.required) return check.status === "failed" ? "failure" : "incomplete";
  if (interruptedCheck(check)) return "interrupted";
  return check.status === "skipped" ? "skipped" : "warning";
}

export interface SeverityCounts {
  readonly ok: number;
  readonly failure: number;
  readonly incomplete: number;
  readonly warning: number;
  readonly skipped: number;
  readonly interrupted: number;
}

export function severityCounts(checks: readonly Judged[]): SeverityCounts {
  const counts = { ok: 0, failure: 0, incomplete: 0, warning: 0, skipped: 0, interrupted: 0 };
  for (const check of checks) counts[severityOf(check)] += 1;
  return counts;
}

/** Certified only when every required check passed (and there is at least one). Inconclusive never counts as pass. */
export function verdictFor(checks: readonly Judged[]): Verdict {
  const counts = severityCounts(checks);
  if (counts.failure > 0) return "not-certified";
  if (counts.incomplete === 0 && checks.some((c) => c.required)) return "certified";
  return "incomplete";
}

/** "2 required checks failed", "1 warning": the plain-words count, with the plural right. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line that says why a verdict is what it is, e.g. "2 required checks failed · 1 warning". */
export function verdictReason(checks: readonly Judged[]): string {
  const c = severityCounts(checks);
  const parts: string[] = [];
  if (c.failure > 0) parts.push(`${plural(c.failure, "required check")} failed`);
  // Undecided required checks, by why: an error, an inconclusive answer, or not run at all.
  const undecided = checks.filter((x) => severityOf(x) === "incomplete");
  for (const [status, words] of [["error", "errored"], ["inconclusive", "inconclusive"], ["skipped", "not run"]] as const) {
    const n = undecided.filter((x) => x.status === status).length;
    if (n > 0) parts.push(`${plural(n, "required check")} ${words}`);
  }
  if (parts.length === 0) parts.push("every required check passed");
  if (c.warning > 0) parts.push(plural(c.warning, "warning"));
  if (c.interrupted > 0) parts.push(`${plural(c.interrupted, "optional check")} not run (interrupted)`);
  return parts.join(" · ");
}
