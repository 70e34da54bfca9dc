/** @module Picks the most authoritative state surface from readings: rest-v1, then rest-v0. Never guesses. */
import type { Evidence } from "../../contracts/certificate.ts";
import type { RestV0ModelList } from "../../contracts/lmstudio/rest-v0-models.ts";
import type { RestV1ModelList } from "../../contracts/lmstudio/rest-v1-models.ts";
import { formatIssues, validateContract } from "../schema-validator.ts";
import type { HttpSurface, SurfaceReading } from "../surfaces.ts";
import { viewFromRestV0, viewFromRestV1, type ModelStateView } from "./views.ts";

export interface StateReading {
  readonly view: ModelStateView | null;
  /** Why this surface gave no view (absent, unauthorized, invalid payload, …). */
  readonly reason: string;
  readonly evidence: Evidence;
}

/** Validates the payload first: a view is only built from a payload that satisfies its contract. */
export function stateFromReading(surface: "rest-v1" | "rest-v0", reading: SurfaceReading): StateReading {
  const { evidence } = reading;
  if (reading.state !== "present") return { view: null, reason: reading.reason, evidence };
  const contract = surface === "rest-v1" ? "lmstudio.v1.ModelList" : "lmstudio.v0.ModelList";
  const report = validateContract(contract, reading.json);
  if (!report.valid) {
    return { view: null, evidence, reason: `${reading.path} does not match ${contract}:\n${formatIssues(report.issues)}` };
  }
  const view =
    surface === "rest-v1"
      ? viewFromRestV1(reading.json as RestV1ModelList)
      : viewFromRestV0(reading.json as RestV0ModelList);
  return { view, reason: `${reading.path} states loaded vs available`, evidence };
}

export const AUTHORITATIVE_ORDER = ["rest-v1", "rest-v0"] as const;

/** Every authoritative surface's view, in order of authority. */
export function stateReadings(
  surfaces: Readonly<Record<HttpSurface, SurfaceReading>>,
): Record<(typeof AUTHORITATIVE_ORDER)[number], StateReading> {
  return {
    "rest-v1": stateFromReading("rest-v1", surfaces["rest-v1"]),
    "rest-v0": stateFromReading("rest-v0", surfaces["rest-v0"]),
  };
}

/** The first surface that yields a view, or null. */
export function authoritativeView(readings: ReturnType<typeof stateReadings>): ModelStateView | null {
  for (const surface of AUTHORITATIVE_ORDER) {
    const view = readings[surface].view;
    if (view) return view;
  }
  return null;
}
