/** @module The `sdk` surface: LM Studio's websocket API as a state source (version, downloads, loaded instances). */
import type { Evidence } from "../../contracts/certificate.ts";
import { describeError } from "../errors.ts";
import { makeEvidence } from "../http/evidence.ts";
import { viewFromSdk, type ModelStateView } from "../model-state/views.ts";
import { SdkClient, sdkBaseUrl, type SdkModel } from "./sdk-client.ts";
import { askSystemVersion } from "./sdk-version.ts";

export interface SdkReading {
  /** present: answered version, downloads and loaded; absent: no SDK websocket here; error: it hung or broke. */
  readonly state: "present" | "absent" | "error";
  readonly reason: string;
  readonly version: string | null;
  readonly view: ModelStateView | null;
  readonly catalogue: readonly SdkModel[] | null;
  readonly evidence: Evidence;
}

export async function readSdkSurface(httpBaseUrl: string, timeoutMs: number, token?: string): Promise<SdkReading> {
  const started = performance.now();
  const client = new SdkClient(httpBaseUrl, timeoutMs, token);
  const evidence = (body: string | null, error: string | null): Evidence =>
    makeEvidence({ method: "WS", url: `${client.url}/system`, bodyExcerpt: body, error, durationMs: Math.round(performance.now() - started) });
  try {
    const { version } = await client.version();
    const catalogue = await client.downloaded();
    const loaded = await client.loaded();
    const summary = `version ${version}; ${catalogue.length} downloaded; loaded [${loaded.map((i) => i.id).join(", ")}]`;
    return {
      state: "present",
      reason: `the SDK websocket answered: ${summary}`,
      version,
      view: viewFromSdk(catalogue, loaded),
      catalogue,
      evidence: evidence(summary, null),
    };
  } catch (error) {
    const message = describeError(error);
    const hung = /no valid answer within/.test(message);
    return {
      state: hung ? "error" : "absent",
      reason: hung ? message : `no SDK websocket answered at ${client.url}: ${message}`,
      version: null,
      view: null,
      catalogue: null,
      evidence: evidence(null, message),
    };
  } finally {
    await client.close();
  }
}

export interface SdkVersionReading {
  /** `major.minor.patch`, or null when the websocket did not say. */
  readonly version: string | null;
  readonly build: number | null;
  readonly reason: string;
  readonly evidence: Evidence;
}

/**
 * LM Studio's version, from the SDK's `system.version` RPC (lmstudio-js lms-external-backend-interfaces/src/
 * systemBackendInterface.ts: `{version, build}`). 0.4 hosts state it nowhere over HTTP: `/lmstudio-greeting` is
 * `{"lmstudio":true}` and nothing else (measured on real hosts, issue 11.9).
 */
export async function readSdkVersion(httpBaseUrl: string, timeoutMs: number, token?: string): Promise<SdkVersionReading> {
  const started = performance.now();
  const evidence = (body: string | null, error: string | null): Evidence =>
    makeEvidence({ method: "WS", url: `${sdkBaseUrl(httpBaseUrl)}/system`, bodyExcerpt: body, error, durationMs: Math.round(performance.now() - started) });
  try {
    const { version, build } = await askSystemVersion(httpBaseUrl, timeoutMs, token);
    return { version, build, reason: `the SDK websocket's system.version says ${version} (build ${build})`, evidence: evidence(`system.version: ${version} build ${build}`, null) };
  } catch (error) {
    const message = describeError(error);
    return { version: null, build: null, reason: `the SDK websocket did not state the version: ${message}`, evidence: evidence(null, message) };
  }
}
