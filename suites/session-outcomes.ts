/** @module Shared plumbing for checks that change the host: get the session, turn failures into honest outcomes. */
import { HttpError, describeError } from "../harness/errors.ts";
import { DriverError } from "../harness/lifecycle/driver.ts";
import { HostLockedError, UnfinishedSessionError } from "../harness/lifecycle/host-lock.ts";
import { NoDriverError } from "../harness/lifecycle/pick-driver.ts";
import { MutationSession, SessionClosedError } from "../harness/lifecycle/session.ts";
import type { CheckContext, Outcome } from "../harness/types.ts";
import { REMEDY } from "./remedies.ts";

/**
 * Runs `body` with the mutation session, then puts the host back to the snapshot so the next check starts from
 * the same state. A host without a load/unload API is `inconclusive`; a transport failure is `error`.
 */
export async function withSession(ctx: CheckContext, body: (session: MutationSession) => Promise<Outcome>): Promise<Outcome> {
  const session = await openSession(ctx);
  if (!(session instanceof MutationSession)) return session;
  try {
    return await body(session);
  } finally {
    await session.restore();
  }
}

/** The session, or the outcome that explains why there is none. */
export async function openSession(ctx: CheckContext): Promise<MutationSession | Outcome> {
  try {
    const session = await ctx.mutations();
    // A load lmcert started earlier (say lifecycle.load's, still in flight or given up on) must land and be undone
    // before another check looks: otherwise its arrival would be read as the host's doing (issue 15.2).
    if (session.hasPendingLoads) await session.restore();
    return session;
  } catch (error) {
    if (error instanceof NoDriverError) return { status: "inconclusive", reason: error.message, remedy: REMEDY.upgradeForLoad };
    if (error instanceof HostLockedError || error instanceof UnfinishedSessionError) return { status: "error", reason: error.message };
    if (error instanceof HttpError) return { status: "error", reason: `could not snapshot the loaded models: ${error.message}`, evidence: [error.evidence] };
    throw error;
  }
}

/** A refused load/unload is the host failing the MUST; a request that never finished is an error. */
export function mutationFailure(what: string, error: unknown): Outcome {
  if (error instanceof DriverError) return { status: "failed", reason: `${what} was refused: ${error.message}` };
  if (error instanceof SessionClosedError) return { status: "error", reason: error.message };
  if (error instanceof HttpError) {
    return { status: "error", reason: `${what} did not complete: ${error.message}`, evidence: [error.evidence] };
  }
  return { status: "error", reason: `${what}: ${describeError(error)}` };
}
