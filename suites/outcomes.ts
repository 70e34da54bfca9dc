/** @module Outcomes shared by checks: how a surface that was not read turns into a status (never `passed`). */
import type { SurfaceReading } from "../harness/surfaces.ts";
import type { Outcome } from "../harness/types.ts";
import { REMEDY } from "./remedies.ts";

/** For a surface that is not `present`: absent → skipped, unauthorized → inconclusive, error → error. */
export function notPresentOutcome(reading: SurfaceReading, absentStatus: "skipped" | "failed" = "skipped"): Outcome {
  const evidence = [reading.evidence];
  switch (reading.state) {
    case "absent":
      return { status: absentStatus, reason: reading.reason, evidence };
    case "unauthorized":
      return { status: "inconclusive", reason: reading.reason, evidence, remedy: REMEDY.token };
    case "error":
      return { status: "error", reason: reading.reason, evidence };
    case "present":
      throw new Error(`notPresentOutcome called for a present surface (${reading.path})`);
  }
}
