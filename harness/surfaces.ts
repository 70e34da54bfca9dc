/** @module Reads one HTTP surface and decides, from LM Studio's own quirks, whether it is present. */
import type { Evidence, SurfaceName } from "../contracts/certificate.ts";
import { UnknownEndpointError } from "../contracts/lmstudio/errors.ts";
import { HttpError, describeError, type HttpErrorKind } from "./errors.ts";
import { parseJsonBody, type HttpClient } from "./http/client.ts";
import { memoizeByString } from "./http/url-memo.ts";

export const SURFACE_PATHS = {
  openai: "/v1/models",
  "rest-v0": "/api/v0/models",
  "rest-v1": "/api/v1/models",
} as const satisfies Partial<Record<SurfaceName, string>>;

export type HttpSurface = keyof typeof SURFACE_PATHS;
export const HTTP_SURFACES = Object.keys(SURFACE_PATHS) as HttpSurface[];

/**
 * present: answered with a JSON payload of its own (validity is the schema checks' business);
 * absent: LM Studio says the route does not exist (HTTP 200 "Unexpected endpoint", or 404/405);
 * unauthorized: 401/403, the host wants a token; error: transport failure, 5xx, non-JSON, anything else.
 */
export type SurfaceState = "present" | "absent" | "unauthorized" | "error";

export interface SurfaceReading {
  readonly path: string;
  readonly state: SurfaceState;
  readonly reason: string;
  readonly evidence: Evidence;
  readonly json?: unknown;
  /** Set when the transport failed, so callers can tell "could not ask" from "asked and got nonsense". */
  readonly errorKind?: HttpErrorKind;
  /** The answer was LM Studio's HTTP 200 "Unexpected endpoint or method" body. */
  readonly unknownEndpoint?: true;
  /** "unauthorized" inferred from early 0.4's way of refusing a request without a token (see `readAuthQuirk`). */
  readonly authQuirk?: true;
}

/**
 * Early LM Studio 0.4 (0.4.2) with "Require Authentication" on answered a request without a token as if the route
 * did not exist: HTTP 200 "Unexpected endpoint or method", for GET /v1/models too (agustif/opencode-lmstudio#9,
 * burnsbert/ComfyUI-EBU-LMStudio#7; 0.4.18 answers 401 invalid_api_key, opencode-lmstudio#41). Every LM Studio serves
 * /v1/models, so from a host that says it is LM Studio that answer means "token required", not "no such route".
 */
export const EARLY_04_AUTH_QUIRK =
  'LM Studio serves GET /v1/models in every version, so this is how early LM Studio 0.4 (e.g. 0.4.2) refuses a request without an API token: HTTP 200 "Unexpected endpoint or method" instead of 401 invalid_api_key (opencode-lmstudio#9)';

/**
 * Reinterprets readings taken from an LM Studio host: when /v1/models "does not exist", every "Unexpected endpoint"
 * answer among them is the early-0.4 token refusal, so those surfaces are unauthorized, not absent.
 */
export function readAuthQuirk(readings: readonly SurfaceReading[], isLmStudio: boolean): SurfaceReading[] {
  const openai = readings.find((r) => r.path === SURFACE_PATHS.openai);
  if (!isLmStudio || !openai?.unknownEndpoint) return [...readings];
  return readings.map((r) =>
    r.unknownEndpoint ? { ...r, state: "unauthorized", authQuirk: true, reason: `${r.reason.replace(/: this server does not have the route$/, "")}. ${EARLY_04_AUTH_QUIRK}` } : r,
  );
}

/** Failures before any answer came back; a body that is too large or not JSON is an answer, and a finding. */
const TRANSPORT_KINDS: ReadonlySet<HttpErrorKind> = new Set(["refused", "timeout", "interrupted", "reset", "network", "invalid-url", "dns", "tls-to-plain-http", "tls"]);

/** The host could not be asked (or failed server-side): nothing about the host's conformance follows from it. */
export function couldNotAsk(reading: SurfaceReading): boolean {
  const kind = reading.errorKind;
  return (kind !== undefined && TRANSPORT_KINDS.has(kind)) || (reading.evidence.status ?? 0) >= 500;
}

export function joinUrl(baseUrl: string, path: string): string {
  return joinerFor(baseUrl)(path);
}

/** One memo per base URL (each host's), of the paths joined to it: the same dozen URLs are asked all run long. */
const joinerFor = memoizeByString((baseUrl: string) => {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return memoizeByString((path: string): string => new URL(path, base).toString());
});

/** Error bodies are informative but optional: a non-JSON 401 is still a 401. */
function tryParseJson(exchange: Parameters<typeof parseJsonBody>[0]): unknown {
  try {
    return parseJsonBody(exchange);
  } catch {
    return undefined;
  }
}

export async function readSurface(http: HttpClient, baseUrl: string, path: string): Promise<SurfaceReading> {
  const url = joinUrl(baseUrl, path.replace(/^\//, ""));
  try {
    const exchange = await http.send("GET", url);
    const { status, evidence } = exchange;
    const at = `GET ${path}`;
    if (status === 401 || status === 403) {
      const json = tryParseJson(exchange);
      return { path, state: "unauthorized", evidence, reason: `${at} answered HTTP ${status}: the host requires an API token`, ...(json === undefined ? {} : { json }) };
    }
    if (status === 404 || status === 405) {
      return { path, state: "absent", evidence, reason: `${at} answered HTTP ${status}: route not served` };
    }
    if (status !== 200) return { path, state: "error", evidence, reason: `${at} answered HTTP ${status}` };
    const json = parseJsonBody(exchange);
    // Only a body with an `error` member can be LM Studio's unknown-route answer: a models list is not run through
    // a zod parse that must fail (a failed parse builds a ZodError, and this runs for every surface read).
    if (json !== null && typeof json === "object" && "error" in json) {
      if (UnknownEndpointError.safeParse(json).success) {
        return {
          path,
          state: "absent",
          evidence,
          unknownEndpoint: true,
          reason: `${at} answered LM Studio's "Unexpected endpoint or method" (HTTP 200): this server does not have the route`,
        };
      }
      return { path, state: "error", evidence, json, reason: `${at} answered HTTP 200 with an error body` };
    }
    return { path, state: "present", evidence, json, reason: `${at} answered HTTP 200 with JSON` };
  } catch (error) {
    if (error instanceof HttpError) {
      return { path, state: "error", evidence: error.evidence, reason: error.message, errorKind: error.kind };
    }
    throw new Error(`Unexpected failure reading ${url}: ${describeError(error)}`, { cause: error });
  }
}
