/** @module Picks the most authoritative state surface: rest-v1, then rest-v0 (completed by the SDK), then the SDK. */
import type { Evidence } from "../../contracts/certificate.ts";
import type { RestV0ModelList } from "../../contracts/lmstudio/rest-v0-models.ts";
import type { RestV1ModelList } from "../../contracts/lmstudio/rest-v1-models.ts";
import type { SdkReading } from "../sdk/sdk-reading.ts";
import { checkContract, formatIssues } from "../schema-validator.ts";
import type { HttpSurface, SurfaceReading } from "../surfaces.ts";
import { viewFromRestV0, viewFromRestV1, type ModelStateView } from "./views.ts";

export interface StateReading {
  readonly view: ModelStateView | null;
  /** Why this surface gave no view (absent, unauthorized, invalid payload, …). */
  readonly reason: string;
  /** Null when the surface was not asked at all. */
  readonly evidence: Evidence | null;
}

/** Validates the payload first: a view is only built from a payload that satisfies its contract. */
export function stateFromReading(surface: "rest-v1" | "rest-v0", reading: SurfaceReading): StateReading {
  const { evidence } = reading;
  if (reading.state !== "present") return { view: null, reason: reading.reason, evidence };
  const contract = surface === "rest-v1" ? "lmstudio.v1.ModelList" : "lmstudio.v0.ModelList";
  // Drift is the schema checks' business (suites/schema.ts); a view needs only a valid payload.
  const report = checkContract(contract, reading.json);
  if (!report.valid) {
    return { view: null, evidence, reason: `${reading.path} does not match ${contract}:\n${formatIssues(report.issues)}` };
  }
  const view =
    surface === "rest-v1"
      ? viewFromRestV1(reading.json as RestV1ModelList)
      : viewFromRestV0(reading.json as RestV0ModelList);
  return { view, reason: `${reading.path} states loaded vs available`, evidence };
}

export const AUTHORITATIVE_ORDER = ["rest-v1", "rest-v0", "sdk"] as const;
export type StateSurface = (typeof AUTHORITATIVE_ORDER)[number];

export interface StateSources {
  readonly surfaces: Readonly<Record<HttpSurface, SurfaceReading>>;
  readonly sdk: SdkReading | null;
}

function sdkState(sdk: SdkReading | null): StateReading {
  if (!sdk) return { view: null, reason: "not asked (/api/v1 answers, or the host is not LM Studio)", evidence: null };
  return { view: sdk.view, reason: sdk.reason, evidence: sdk.evidence };
}

/** Several checks read the same discovery; its payloads are validated once, not once per check. */
const readingsCache = new WeakMap<StateSources, Record<StateSurface, StateReading>>();

/** Every state surface's view, in order of authority. */
export function stateReadings(sources: StateSources): Record<StateSurface, StateReading> {
  let readings = readingsCache.get(sources);
  if (!readings) {
    readings = {
      "rest-v1": stateFromReading("rest-v1", sources.surfaces["rest-v1"]),
      "rest-v0": stateFromReading("rest-v0", sources.surfaces["rest-v0"]),
      sdk: sdkState(sources.sdk),
    };
    readingsCache.set(sources, readings);
  }
  return readings;
}

/**
 * The first surface that yields a view. rest-v0 follows JIT and cannot state "available" with JIT off; where the
 * SDK answered, its download list completes that view instead of leaving it unknown.
 */
export function authoritativeView(readings: Record<StateSurface, StateReading>): ModelStateView | null {
  const v1 = readings["rest-v1"].view;
  if (v1) return v1;
  const v0 = readings["rest-v0"].view;
  const sdk = readings.sdk.view;
  if (v0) {
    if (v0.available !== null || !sdk?.available) return v0;
    return { ...v0, available: sdk.available, notes: [...v0.notes, "available models come from the SDK's listDownloadedModels"] };
  }
  return sdk;
}

/** The evidence of every surface that was asked. */
export function readingEvidence(readings: Record<StateSurface, StateReading>): Evidence[] {
  return AUTHORITATIVE_ORDER.flatMap((s) => (readings[s].evidence ? [readings[s].evidence] : []));
}

/** How each state surface fared, uniformly: the HTTP surfaces' states, and the SDK's (absent when not asked). */
export function stateSurfaceStates(sources: StateSources): Record<StateSurface, "present" | "absent" | "unauthorized" | "error"> {
  return {
    "rest-v1": sources.surfaces["rest-v1"].state,
    "rest-v0": sources.surfaces["rest-v0"].state,
    sdk: sources.sdk?.state ?? "absent",
  };
}
