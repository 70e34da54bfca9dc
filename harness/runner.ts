/** @module Runs checks in registry order: selection, mutation gate, `needs`, per-check deadline, error capture. */
import type { CheckRecord } from "../contracts/certificate.ts";
import { describeError } from "./errors.ts";
import { RUN_INTERRUPTED } from "./severity.ts";
import { recordEvidence } from "./http/evidence.ts";
import { serverText, serverValue } from "./server-text.ts";
import { isRequired, resolveRemedy, type Check, type CheckContext, type Outcome } from "./types.ts";

export interface RunChecksOptions {
  readonly checks: readonly Check[];
  readonly ctx: CheckContext;
  /** Run only these ids (empty = all). */
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  readonly checkTimeoutMs: number;
  /**
   * `certify --rerun-failed`: earlier passes (already marked `carriedOver`) that stand in for checks this run does
   * not select, so a rerun that fixes the rest can certify.
   */
  readonly carryOver?: ReadonlyMap<string, CheckRecord>;
  /**
   * For checks that load or unload models: from the standard (lifecycle.loadTimeoutSeconds), never the fixed
   * per-check deadline. A compliant host whose model takes 60 s to load must be certifiable (issue 15.2).
   */
  readonly mutatingCheckTimeoutMs?: number;
  readonly onCheckEnd?: (record: CheckRecord) => void | Promise<void>;
}

export interface RunChecksResult {
  readonly records: CheckRecord[];
  readonly selected: string[];
  readonly deselected: string[];
}

export async function runChecks(options: RunChecksOptions): Promise<RunChecksResult> {
  const { checks, ctx } = options;
  const records: CheckRecord[] = [];
  const statusById = new Map<string, CheckRecord["status"]>();
  const selected: string[] = [];
  const deselected: string[] = [];
  for (const check of checks) {
    const isSelected = isSelectedCheck(check.id, options.only ?? [], options.skip ?? []);
    (isSelected ? selected : deselected).push(check.id);
    const started = performance.now();
    const carried = isSelected ? undefined : options.carryOver?.get(check.id);
    const deadline = check.mutates && options.mutatingCheckTimeoutMs !== undefined
      ? { ms: options.mutatingCheckTimeoutMs, what: "deadline for a check that loads models, from lifecycle.loadTimeoutSeconds" }
      : { ms: options.checkTimeoutMs, what: "per-check deadline" };
    const outcome = isSelected ? await gateAndRun(check, ctx, statusById, deadline) : notSelected();
    const record = carried ?? toRecord(check, ctx, outcome, performance.now() - started);
    statusById.set(check.id, record.status);
    records.push(record);
    await options.onCheckEnd?.(record);
  }
  return { records, selected, deselected };
}

function isSelectedCheck(id: string, only: readonly string[], skip: readonly string[]): boolean {
  if (only.length > 0 && !only.includes(id)) return false;
  return !skip.includes(id);
}

/** The reason of a mutating check skipped without --allow-mutations: a choice of the run, not a finding about the host. */
export const MUTATIONS_NOT_ALLOWED = "loads or unloads models; run with --allow-mutations to include it";

function notSelected(): Outcome {
  return { status: "skipped", reason: "not selected for this run (--only/--skip)" };
}

async function gateAndRun(
  check: Check,
  ctx: CheckContext,
  statusById: ReadonlyMap<string, CheckRecord["status"]>,
  deadline: CheckDeadline,
): Promise<Outcome> {
  if (check.mutates && !ctx.allowMutations) {
    return { status: "skipped", reason: MUTATIONS_NOT_ALLOWED };
  }
  for (const need of check.needs ?? []) {
    const status = statusById.get(need);
    if (status !== "passed") return { status: "skipped", reason: `needs ${need} to pass first (it ${status ?? "did not run"})` };
  }
  if (ctx.signal.aborted) return { status: "error", reason: "run interrupted before this check started", remedy: RUN_INTERRUPTED };
  return runWithDeadline(check, ctx, deadline);
}

interface CheckDeadline {
  readonly ms: number;
  /** Which deadline this is, for the reason when it passes. */
  readonly what: string;
}

/** A check that throws or overruns is an `error`, never a pass: the harness could not find out. */
async function runWithDeadline(check: Check, ctx: CheckContext, limit: CheckDeadline): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: "error", reason: `check did not finish within ${limit.ms} ms (${limit.what})` }),
      limit.ms,
    );
  });
  try {
    return await Promise.race([check.run(ctx), deadline]);
  } catch (error) {
    const evidence = (error as { evidence?: unknown }).evidence;
    return {
      status: "error",
      reason: `harness error: ${describeError(error)}`,
      ...(evidence && typeof evidence === "object" ? { evidence: [evidence as CheckRecord["evidence"][number]] } : {}),
    };
  } finally {
    clearTimeout(timer);
  }
}

// Defined with the severity model, which recognises an interrupted check by it; re-exported for existing importers.
export { RUN_INTERRUPTED };

/** Reasons and remedies are lmcert's words around server text (ids, messages): room for both, but bounded. */
const MAX_REASON_CHARS = 4096;

/**
 * Failed and inconclusive records carry a fix (the outcome's, else the check's). An error carries only a fix its
 * outcome names (e.g. "start the server" for a refused connection): the check's own remedy answers a different
 * question than "why could lmcert not ask".
 */
function remedyFor(check: Check, ctx: CheckContext, outcome: Outcome): string | null {
  // Whatever broke a check once the run was stopped, the interruption is the cause (a request cut off by Ctrl-C
  // can surface as a timeout or a reset).
  if (outcome.status === "error" && ctx.signal.aborted) return RUN_INTERRUPTED;
  const remedy = outcome.status === "failed" || outcome.status === "inconclusive"
    ? (outcome.remedy ?? check.remedy)
    : outcome.status === "error" ? outcome.remedy : undefined;
  return remedy === undefined ? null : serverText(resolveRemedy(remedy, ctx.standard), MAX_REASON_CHARS);
}

/**
 * Every check result passes through the server-text choke point here, before any reporter, certificate or log
 * sees it: whatever a check put into its reason, observed values or evidence, tokens are redacted and sizes capped.
 */
function toRecord(check: Check, ctx: CheckContext, outcome: Outcome, durationMs: number): CheckRecord {
  return {
    id: check.id,
    title: check.title,
    must: check.must,
    required: isRequired(check, ctx.standard, { allowMutations: ctx.allowMutations, local: ctx.local !== null }),
    status: outcome.status,
    reason: serverText(outcome.reason, MAX_REASON_CHARS),
    observed: serverValue({ ...outcome.observed }) as Record<string, unknown>,
    evidence: (outcome.evidence ?? []).map(recordEvidence),
    remedy: remedyFor(check, ctx, outcome),
    durationMs: Math.round(durationMs),
  };
}
