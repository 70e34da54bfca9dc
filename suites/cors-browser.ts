/** @module cors.browser: a real headless Chromium, on another origin, must be handed the /v1/models JSON. */
import type { Evidence } from "../contracts/certificate.ts";
import { browserFetch } from "../harness/browser/browser-fetch.ts";
import { describeError } from "../harness/errors.ts";
import { redactSecrets } from "../harness/http/evidence.ts";
import { joinUrl } from "../harness/surfaces.ts";
import { defineCheck, type CheckContext, type Outcome } from "../harness/types.ts";
import { onlyWhen } from "./applicability.ts";
import { ENABLE_CORS, anyOrigin, saysDisabled } from "./cors-common.ts";

async function runBrowserCheck(ctx: CheckContext, token: string | undefined): Promise<Outcome> {
  const target = joinUrl(ctx.host.url, "v1/models");
  const started = performance.now();
  const raw = await browserFetch(ctx.chromium.path as string, target, { token, signal: ctx.signal });
  const secrets = token ? [token] : [];
  const result = { ...raw, pageResult: redactSecrets(raw.pageResult, secrets), console: raw.console.map((l) => redactSecrets(l, secrets)) };
  const evidence: Evidence = {
    method: "GET",
    url: target,
    status: result.status,
    headers: { origin: result.pageOrigin },
    bodyExcerpt: result.pageResult.slice(0, 400),
    error: result.ok ? null : [result.pageResult, ...result.console].join("\n"),
    durationMs: Math.round(performance.now() - started),
  };
  const observed = { pageOrigin: result.pageOrigin, browser: ctx.chromium.path, console: result.console, pageResult: result.pageResult };
  const isModelList = result.ok && result.pageResult.includes('"data"');
  if (isModelList) return { status: "passed", reason: `Chromium handed the page on ${result.pageOrigin} the /v1/models JSON`, observed, evidence: [evidence] };
  const said = result.console.find((line) => /CORS|blocked/i.test(line)) ?? result.pageResult;
  return { status: "failed", reason: `Chromium did not give the page the JSON: ${said}`, observed, evidence: [evidence] };
}

export const browserCheck = onlyWhen(anyOrigin, saysDisabled, defineCheck({
  id: "cors.browser",
  title: "A real browser can read /v1/models cross-origin",
  must: "A page on another origin MUST be able to fetch() /v1/models in headless Chromium and read the JSON.",
  concern: "cors",
  required: false,
  mutates: false,
  needs: ["health.greeting"],
  remedy: ENABLE_CORS,
  async run(ctx) {
    if (!ctx.chromium.path) return { status: "skipped", reason: ctx.chromium.reason };
    try {
      // The token is handed to the page only, as a real cluster UI would send it; it never reaches evidence.
      return await runBrowserCheck(ctx, ctx.http.bearerToken);
    } catch (error) {
      return { status: "error", reason: `could not drive Chromium at ${ctx.chromium.path}: ${describeError(error).split("\n")[0]}` };
    }
  },
}));

