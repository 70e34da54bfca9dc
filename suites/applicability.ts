/** @module Checks that apply only under some standards: one wrapper makes them required and runnable together. */
import type { Standard } from "../contracts/standard.ts";
import { isRequired, type Check, type Outcome } from "../harness/types.ts";

export function notApplicable(reason: string): Outcome {
  return { status: "skipped", reason: `not applicable: ${reason}` };
}

/**
 * The check applies (and counts, if it otherwise would) only when `applies(standard)`; otherwise it is skipped
 * with `why(standard)` as the reason, so every skip in a certificate says which line of the standard caused it.
 * @example onlyWhen((s) => s.auth === "token", () => "the standard says auth: none", check)
 */
export function onlyWhen(applies: (standard: Standard) => boolean, why: (standard: Standard) => string, check: Check): Check {
  return {
    ...check,
    required: (standard, run) => applies(standard) && isRequired(check, standard, run),
    async run(ctx) {
      return applies(ctx.standard) ? check.run(ctx) : notApplicable(why(ctx.standard));
    },
  };
}
