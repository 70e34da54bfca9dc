/** @module cors: what a browser page on another origin experiences, checked at header level and in real Chromium. */
import type { Evidence } from "../contracts/certificate.ts";
import type { Standard } from "../contracts/standard.ts";
import { PROBE_ORIGINS, REQUESTED_HEADERS, REQUESTED_METHOD, originProblems, originWarnings, preflightProblems } from "../harness/cors-rules.ts";
import { isHttpError } from "../harness/errors.ts";
import { joinUrl } from "../harness/surfaces.ts";
import { defineCheck, type Outcome } from "../harness/types.ts";
import { onlyWhen } from "./applicability.ts";
import { browserCheck } from "./cors-browser.ts";
import { ENABLE_CORS, anyOrigin, saysDisabled } from "./cors-common.ts";
import { lmsServerRestart } from "./remedies.ts";

const PREFLIGHT_PATHS = ["/v1/models", "/v1/chat/completions"] as const;

/** Runs probes; a transport failure becomes an `error` outcome instead of a pass or a fail. */
async function probe<T>(run: () => Promise<T>): Promise<T | Outcome> {
  try {
    return await run();
  } catch (error) {
    if (isHttpError(error)) return { status: "error", reason: error.message, evidence: [error.evidence] };
    throw error;
  }
}

function isOutcome(value: unknown): value is Outcome {
  return typeof value === "object" && value !== null && "status" in value && "reason" in value;
}

const preflight = onlyWhen(anyOrigin, saysDisabled, defineCheck({
  id: "cors.preflight",
  title: "Browser preflights are allowed from any origin",
  must: "OPTIONS preflights for POST with `content-type, authorization` from any origin MUST be answered 2xx with Access-Control-Allow-Origin `*` or the echoed origin, and Access-Control-Allow-Headers covering both headers (POST is CORS-safelisted: no Allow-Methods needed). An echoed origin without `Vary: Origin` is a caching warning.",
  concern: "cors",
  required: true,
  mutates: false,
  needs: ["health.greeting"],
  remedy: ENABLE_CORS,
  async run(ctx) {
    const result = await probe(async () => {
      const evidence: Evidence[] = [];
      const problems: string[] = [];
      const warnings = new Set<string>();
      for (const path of PREFLIGHT_PATHS) {
        for (const origin of PROBE_ORIGINS) {
          // Preflights never carry credentials, so they go out without the token.
          const exchange = await ctx.anonymousHttp.send("OPTIONS", joinUrl(ctx.host.url, path.slice(1)), {
            headers: {
              origin,
              "access-control-request-method": REQUESTED_METHOD,
              "access-control-request-headers": REQUESTED_HEADERS.join(", "),
            },
          });
          evidence.push(exchange.evidence);
          for (const p of preflightProblems(exchange.status, exchange.headers, origin)) problems.push(`OPTIONS ${path} from ${origin}: ${p}`);
          for (const w of originWarnings(exchange.headers, origin)) warnings.add(w.replace(`"${origin}"`, "the origin"));
        }
      }
      return { evidence, problems, warnings: [...warnings] };
    });
    if (isOutcome(result)) return result;
    const observed = { origins: PROBE_ORIGINS, paths: PREFLIGHT_PATHS, problems: result.problems, warnings: result.warnings };
    if (result.problems.length === 0) {
      const warn = result.warnings.length > 0 ? `; warning: ${result.warnings.join("; ")}` : "";
      return { status: "passed", reason: `${result.evidence.length} preflights (2 paths × ${PROBE_ORIGINS.length} origins) allowed${warn}`, observed, evidence: result.evidence };
    }
    const noHeaders = result.problems.some((p) => p.includes("no Access-Control-Allow-Origin"));
    return {
      status: "failed",
      reason: `${noHeaders ? "CORS is off: " : ""}${result.problems.slice(0, 4).join("\n")}${result.problems.length > 4 ? `\n… ${result.problems.length - 4} more` : ""}`,
      observed,
      evidence: result.evidence,
      ...(noHeaders ? {} : { remedy: (s: Standard) => `${ENABLE_CORS(s)} If a proxy sits in front of LM Studio, make it answer preflights with Access-Control-Allow-Origin: * and allow the content-type and authorization headers.` }),
    };
  },
}));

const actualRequest = onlyWhen(anyOrigin, saysDisabled, defineCheck({
  id: "cors.actual-request",
  title: "Responses to cross-origin requests are readable",
  must: "GET /v1/models and a POST to /v1/chat/completions sent with an Origin header MUST carry an acceptable Access-Control-Allow-Origin.",
  concern: "cors",
  required: true,
  mutates: false,
  needs: ["health.greeting"],
  remedy: ENABLE_CORS,
  async run(ctx) {
    const origin = PROBE_ORIGINS[0];
    const result = await probe(async () => {
      const get = await ctx.http.send("GET", joinUrl(ctx.host.url, "v1/models"), { headers: { origin } });
      // An invalid body (no `messages`) is rejected by validation before any model is touched: nothing loads.
      const post = await ctx.http.send("POST", joinUrl(ctx.host.url, "v1/chat/completions"), { headers: { origin }, json: {} });
      return [get, post] as const;
    });
    if (isOutcome(result)) return result;
    const problems = result.flatMap((x) => originProblems(x.headers, origin).map((p) => `${x.evidence.method} ${new URL(x.evidence.url).pathname}: ${p}`));
    const warnings = [...new Set(result.flatMap((x) => originWarnings(x.headers, origin)))];
    const evidence = result.map((x) => x.evidence);
    if (problems.length === 0) {
      const warn = warnings.length > 0 ? `; warning: ${warnings.join("; ")}` : "";
      return { status: "passed", reason: `GET and POST responses carry Access-Control-Allow-Origin for ${origin}${warn}`, observed: { problems, warnings }, evidence };
    }
    return { status: "failed", reason: problems.join("\n"), observed: { problems, warnings }, evidence };
  },
}));

const privateNetwork = defineCheck({
  id: "cors.private-network",
  title: "Private Network Access preflights (Chromium)",
  must: "A preflight with `Access-Control-Request-Private-Network: true` SHOULD be answered with `Access-Control-Allow-Private-Network: true` (informational).",
  concern: "cors",
  required: false,
  mutates: false,
  needs: ["health.greeting"],
  remedy:
    "LM Studio has no setting for this (bug-tracker#392). Pages served from localhost or the LAN are unaffected. For a page on a public origin, put a reverse proxy in front of LM Studio that answers such preflights with Access-Control-Allow-Private-Network: true.",
  async run(ctx) {
    const origin = "https://app.example.test:8443";
    const result = await probe(() =>
      ctx.anonymousHttp.send("OPTIONS", joinUrl(ctx.host.url, "v1/models"), {
        headers: { origin, "access-control-request-method": "GET", "access-control-request-private-network": "true" },
      }),
    );
    if (isOutcome(result)) return result;
    const granted = result.headers["access-control-allow-private-network"] === "true";
    const observed = { allowPrivateNetwork: granted };
    if (granted) return { status: "passed", reason: "the preflight grants Private Network Access", observed, evidence: [result.evidence] };
    return {
      status: "failed",
      reason:
        "no Access-Control-Allow-Private-Network: true: Chromium blocks pages on public origins (e.g. https://app.example.com) from calling this host on a private address; pages on localhost or the LAN still work",
      observed,
      evidence: [result.evidence],
    };
  },
});

const disabled = onlyWhen((s) => s.cors === "disabled", () => "the standard says cors: any-origin", defineCheck({
  id: "cors.disabled",
  title: "CORS is off",
  must: "With the standard's `cors: disabled`, responses MUST NOT carry Access-Control-Allow-Origin.",
  concern: "cors",
  required: true,
  mutates: false,
  needs: ["health.greeting"],
  remedy: (s) => `In LM Studio: Developer → Server Settings → turn off "Enable CORS", or restart the server without \`--cors\`: \`${lmsServerRestart(s)}\`.`,
  async run(ctx) {
    const origin = PROBE_ORIGINS[0];
    const result = await probe(async () => [
      await ctx.http.send("GET", joinUrl(ctx.host.url, "v1/models"), { headers: { origin } }),
      await ctx.anonymousHttp.send("OPTIONS", joinUrl(ctx.host.url, "v1/models"), {
        headers: { origin, "access-control-request-method": "POST" },
      }),
    ]);
    if (isOutcome(result)) return result;
    const allowing = result.filter((x) => x.headers["access-control-allow-origin"] !== undefined);
    const evidence = result.map((x) => x.evidence);
    if (allowing.length === 0) return { status: "passed", reason: "no Access-Control-Allow-Origin on GET or preflight", evidence };
    return {
      status: "failed",
      reason: allowing.map((x) => `${x.evidence.method} /v1/models sent Access-Control-Allow-Origin: ${x.headers["access-control-allow-origin"]}`).join("\n"),
      evidence,
    };
  },
}));

export const corsChecks = [preflight, actualRequest, privateNetwork, browserCheck, disabled];
