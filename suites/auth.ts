/** @module auth: the host asks for an API token exactly when the standard says it should. */
import { RestV1Error } from "../contracts/lmstudio/errors.ts";
import type { Discovery } from "../harness/discovery.ts";
import { couldNotAsk, readAuthQuirk, readSurface, SURFACE_PATHS, type SurfaceReading } from "../harness/surfaces.ts";
import { defineCheck, type CheckContext, type Outcome } from "../harness/types.ts";
import { onlyWhen } from "./applicability.ts";
import { REMEDY } from "./remedies.ts";

const TURN_ON =
  'In LM Studio (0.4.0 or newer): Developer → Server Settings → turn on "Require Authentication", and create tokens under Manage Tokens.';
const TURN_OFF =
  'In LM Studio: Developer → Server Settings → turn off "Require Authentication", or declare `auth: token` in the standard and pass --token-env.';

/** The model surfaces to probe: /v1/models always, /api/v1/models when the host has it. */
function probePaths(d: Discovery): string[] {
  return [SURFACE_PATHS.openai, ...(d.surfaces["rest-v1"].state !== "absent" ? [SURFACE_PATHS["rest-v1"]] : [])];
}

async function readAll(ctx: CheckContext, client: CheckContext["http"], only?: readonly string[]): Promise<SurfaceReading[]> {
  const discovery = await ctx.discovery();
  const paths = probePaths(discovery).filter((p) => !only || only.includes(p));
  const readings = await Promise.all(paths.map((p) => readSurface(client, ctx.host.url, p)));
  return readAuthQuirk(readings, discovery.isLmStudio);
}

/** 401 with LM Studio's `invalid_api_key` error: how 0.4.18 refuses a request without a token (opencode-lmstudio#41). */
function refusedWith401(r: SurfaceReading): boolean {
  const body = RestV1Error.safeParse(r.json);
  return r.evidence.status === 401 && body.success && body.data.error.code === "invalid_api_key";
}

function transportTrouble(readings: readonly SurfaceReading[]): Outcome | null {
  const broken = readings.filter(couldNotAsk);
  if (broken.length === 0) return null;
  return { status: "error", reason: broken.map((r) => r.reason).join("; "), evidence: readings.map((r) => r.evidence) };
}

const tokenStandard = (s: { auth: string }) => s.auth === "token";
const saysNone = () => "the standard says auth: none";

const required = onlyWhen(tokenStandard, saysNone, defineCheck({
  id: "auth.required",
  title: "Requests without a token are refused",
  must: "With the standard's `auth: token`, a request without a token MUST be refused: HTTP 401 with LM Studio's `invalid_api_key` error, or (early LM Studio 0.4) HTTP 200 \"Unexpected endpoint or method\" for a route that answers with the token.",
  concern: "auth",
  required: true,
  mutates: false,
  needs: ["health.greeting"],
  remedy: TURN_ON,
  async run(ctx) {
    const readings = await readAll(ctx, ctx.anonymousHttp);
    const trouble = transportTrouble(readings);
    if (trouble) return trouble;
    const evidence = readings.map((r) => r.evidence);
    const open = readings.filter((r) => r.state === "present").map((r) => r.path);
    if (open.length > 0) {
      // Tokens arrived with /api/v1 in 0.4.0 (docs authentication.mdx): an older host cannot be made to ask for one.
      const discovery = await ctx.discovery();
      if (discovery.surfaces["rest-v1"].state === "absent") {
        return {
          status: "failed",
          reason: `answered without a token: ${open.join(", ")}; this LM Studio (${discovery.version ?? discovery.versionRange ?? "version unknown"}) is older than 0.4.0, which added "Require Authentication"`,
          evidence,
          remedy: `Update LM Studio to 0.4.0 or newer. ${TURN_ON}`,
        };
      }
      return { status: "failed", reason: `answered without a token: ${open.join(", ")}`, evidence };
    }
    const wrongShape = readings.filter((r) => !r.authQuirk && !refusedWith401(r));
    if (wrongShape.length > 0) {
      return {
        status: "failed",
        reason: wrongShape.map((r) => `${r.path}: expected HTTP 401 with error.code "invalid_api_key", got HTTP ${r.evidence.status}`).join("; "),
        evidence,
      };
    }
    const quirky = readings.filter((r) => r.authQuirk).map((r) => r.path);
    if (quirky.length === 0) {
      return { status: "passed", reason: `${readings.map((r) => r.path).join(", ")} refuse requests without a token (401 invalid_api_key)`, observed: { refusal: "http-401" }, evidence };
    }
    // "Unexpected endpoint" without the token is a refusal only if the same routes answer with it (issue 11.3).
    const quirk = `without a token, ${quirky.join(", ")} answered HTTP 200 "Unexpected endpoint or method": early LM Studio 0.4 (e.g. 0.4.2) refuses this way instead of 401 invalid_api_key (opencode-lmstudio#9; 0.4.18 answers 401)`;
    if (!ctx.hasToken) {
      return { status: "inconclusive", reason: `${quirk}; without --token-env lmcert cannot show that these routes answer with a token`, evidence, remedy: REMEDY.token };
    }
    const withToken = await readAll(ctx, ctx.http, quirky);
    const tokenTrouble = transportTrouble(withToken);
    if (tokenTrouble) return tokenTrouble;
    const allEvidence = [...evidence, ...withToken.map((r) => r.evidence)];
    const unanswered = withToken.filter((r) => r.state !== "present");
    if (unanswered.length > 0) {
      return {
        status: "inconclusive",
        reason: `${quirk}, but with the token they do not answer either (${unanswered.map((r) => r.reason).join("; ")}), so lmcert cannot tell a refusal from a missing route (see auth.token-accepted)`,
        evidence: allEvidence,
      };
    }
    return { status: "passed", reason: `refused without a token: ${quirk}; with the token they answer`, observed: { refusal: "unknown-endpoint-200" }, evidence: allEvidence };
  },
}));

const tokenAccepted = onlyWhen(tokenStandard, saysNone, defineCheck({
  id: "auth.token-accepted",
  title: "The team's token is accepted",
  must: "With the standard's `auth: token`, a request with the token from --token-env MUST be accepted.",
  concern: "auth",
  required: true,
  mutates: false,
  needs: ["health.greeting"],
  remedy: "Check the token in Developer → Server Settings → Manage Tokens (it may be revoked or lack permissions), and pass its environment variable with --token-env.",
  async run(ctx) {
    if (!ctx.hasToken) return { status: "inconclusive", reason: "no token given, so acceptance cannot be shown", remedy: REMEDY.token };
    const readings = await readAll(ctx, ctx.http);
    const trouble = transportTrouble(readings);
    if (trouble) return trouble;
    const evidence = readings.map((r) => r.evidence);
    const refused = readings.filter((r) => r.state !== "present");
    if (refused.length > 0) return { status: "failed", reason: refused.map((r) => r.reason).join("; "), evidence };
    // The SDK websocket got the same token, split into identifier and passkey (issue 11.4): say whether it took it.
    const sdk = (await ctx.discovery()).sdkVersion;
    const sdkNote = !sdk ? "" : sdk.version ? "; the SDK websocket accepted it too (identifier and passkey)" : `; note: ${sdk.reason}`;
    return {
      status: "passed",
      reason: `the token is accepted on ${readings.map((r) => r.path).join(", ")}${sdkNote}`,
      observed: { sdkWebsocket: !sdk ? "not-asked" : sdk.version ? "accepted" : "no-answer" },
      evidence: [...evidence, ...(sdk ? [sdk.evidence] : [])],
    };
  },
}));

const notRequired = onlyWhen((s) => s.auth === "none", () => "the standard says auth: token", defineCheck({
  id: "auth.not-required",
  title: "No token is needed",
  must: "With the standard's `auth: none`, an unauthenticated request MUST succeed.",
  concern: "auth",
  required: true,
  mutates: false,
  needs: ["health.greeting"],
  remedy: TURN_OFF,
  async run(ctx) {
    const readings = await readAll(ctx, ctx.anonymousHttp);
    const trouble = transportTrouble(readings);
    if (trouble) return trouble;
    const evidence = readings.map((r) => r.evidence);
    const refused = readings.filter((r) => r.state === "unauthorized");
    if (refused.length > 0) return { status: "failed", reason: `refused without a token: ${refused.map((r) => r.reason).join("; ")}`, evidence };
    const other = readings.filter((r) => r.state !== "present");
    if (other.length > 0) return { status: "error", reason: other.map((r) => r.reason).join("; "), evidence };
    return { status: "passed", reason: `${readings.map((r) => r.path).join(", ")} answer without a token`, evidence };
  },
}));

export const authChecks = [required, tokenAccepted, notRequired];
