/** @module Checks that apply only under some standards say so as `skipped`, with the standard's words as reason. */
import type { Outcome } from "../harness/types.ts";

export function notApplicable(reason: string): Outcome {
  return { status: "skipped", reason: `not applicable: ${reason}` };
}
