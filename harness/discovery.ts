/** @module Discovery: which surfaces a host answers, whether it is LM Studio, and what version that implies. */
import type { SurfaceName } from "../contracts/certificate.ts";
import { Greeting } from "../contracts/lmstudio/greeting.ts";
import type { HttpClient } from "./http/client.ts";
import { readSdkSurface, readSdkVersion, type SdkReading, type SdkVersionReading } from "./sdk/sdk-reading.ts";
import { HTTP_SURFACES, SURFACE_PATHS, readAuthQuirk, readSurface, type HttpSurface, type SurfaceReading } from "./surfaces.ts";

export interface Discovery {
  readonly baseUrl: string;
  readonly greeting: SurfaceReading;
  readonly surfaces: Readonly<Record<HttpSurface, SurfaceReading>>;
  /** `GET /lmstudio-greeting` said `lmstudio: true`, the test `lms` itself uses. */
  readonly isLmStudio: boolean;
  /** Exact version when the host states one, else null. */
  readonly version: string | null;
  /** What the surfaces imply when no exact version is stated, e.g. ">=0.4.0". */
  readonly versionRange: string | null;
  readonly present: readonly SurfaceName[];
  /** The SDK websocket, probed only where /api/v1 is missing (0.3.x): there it is the only complete state source. */
  readonly sdk: SdkReading | null;
  /** Where /api/v1 answers (0.4+), the SDK is asked only for `system.version`: the one place 0.4 states its version. */
  readonly sdkVersion: SdkVersionReading | null;
}

export interface DiscoverOptions {
  /** Deadline for each SDK call; 0 skips the SDK probe. */
  readonly sdkTimeoutMs?: number;
}

/** Reads every surface once, concurrently; checks share the result instead of re-asking the host. */
export async function discover(http: HttpClient, baseUrl: string, options: DiscoverOptions = {}): Promise<Discovery> {
  const [greeting, ...raw] = await Promise.all([
    readSurface(http, baseUrl, "/lmstudio-greeting"),
    ...HTTP_SURFACES.map((surface) => readSurface(http, baseUrl, SURFACE_PATHS[surface])),
  ]);
  const greetingBody = greeting.state === "present" ? Greeting.safeParse(greeting.json) : null;
  const isLmStudio = greetingBody?.success === true;
  // Early 0.4 refuses a missing token with "Unexpected endpoint": those surfaces want a token, they are not absent.
  const readings = readAuthQuirk(raw, isLmStudio);
  const surfaces = Object.fromEntries(HTTP_SURFACES.map((s, i) => [s, readings[i]])) as Record<HttpSurface, SurfaceReading>;
  const statedVersion = isLmStudio ? (greeting.json as { version?: unknown }).version : undefined;
  const httpPresent = HTTP_SURFACES.filter((s) => surfaces[s].state === "present");
  const sdkTimeoutMs = options.sdkTimeoutMs ?? 5_000;
  // The SDK websocket gets the --token-env token too, split the way the SDK presents it (issue 11.4).
  const token = http.bearerToken;
  const probeSdk = isLmStudio && surfaces["rest-v1"].state !== "present" && sdkTimeoutMs > 0;
  const sdk = probeSdk ? await readSdkSurface(baseUrl, sdkTimeoutMs, token) : null;
  const askVersion = isLmStudio && !probeSdk && typeof statedVersion !== "string" && sdkTimeoutMs > 0;
  const sdkVersion = askVersion ? await readSdkVersion(baseUrl, sdkTimeoutMs, token) : null;
  const present: SurfaceName[] = [...httpPresent, ...(sdk?.state === "present" ? (["sdk"] as const) : [])];
  return {
    baseUrl,
    greeting,
    surfaces,
    isLmStudio,
    version: typeof statedVersion === "string" ? statedVersion : (sdk?.version ?? sdkVersion?.version ?? null),
    versionRange: versionRangeFor(httpPresent),
    present,
    sdk,
    sdkVersion,
  };
}

/** Surface history from lmstudio-api.md: /api/v0 arrived in 0.3.6, /api/v1 in 0.4.0. */
function versionRangeFor(present: readonly HttpSurface[]): string | null {
  if (present.includes("rest-v1")) return ">=0.4.0";
  if (present.includes("rest-v0")) return ">=0.3.6 <0.4.0";
  if (present.includes("openai")) return "<0.3.6";
  return null;
}
