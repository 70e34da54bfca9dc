/** @module surfaces: which model APIs answer, and which LM Studio version that implies. */
import { HTTP_SURFACES, couldNotAsk } from "../harness/surfaces.ts";
import { defineCheck } from "../harness/types.ts";
import { REMEDY, notLmStudioRemedy, unreachableRemedy } from "./remedies.ts";

export const surfaceChecks = [
  defineCheck({
    id: "surfaces.discovered",
    title: "Model surfaces discovered",
    must: "The host MUST be LM Studio and MUST answer at least one model surface (/v1/models, /api/v0/models, /api/v1/models).",
    concern: "surfaces",
    required: true,
    mutates: false,
    remedy: REMEDY.serverRunning,
    async run(ctx) {
      const d = await ctx.discovery();
      const evidence = [
        d.greeting.evidence,
        ...HTTP_SURFACES.map((s) => d.surfaces[s].evidence),
        ...(d.sdk ? [d.sdk.evidence] : []),
        ...(d.sdkVersion ? [d.sdkVersion.evidence] : []),
      ];
      const observed = {
        present: d.present,
        version: d.version,
        versionRange: d.versionRange,
        surfaces: {
          ...Object.fromEntries(HTTP_SURFACES.map((s) => [s, { state: d.surfaces[s].state, reason: d.surfaces[s].reason }])),
          sdk: d.sdk
            ? { state: d.sdk.state, reason: d.sdk.reason }
            : { state: "not-asked", reason: `/api/v1 answers, so the SDK websocket is asked only for the version${d.sdkVersion ? `: ${d.sdkVersion.reason}` : ""}` },
        },
      };
      if (!d.isLmStudio) {
        const why = d.greeting.state === "error" ? d.greeting.reason : `GET /lmstudio-greeting: ${d.greeting.reason}`;
        const remedy = couldNotAsk(d.greeting) ? unreachableRemedy(d.greeting.errorKind, ctx.host.url) : notLmStudioRemedy(ctx.host.url);
        const what = couldNotAsk(d.greeting) ? "could not reach the host" : "not an LM Studio server";
        return { status: "error", reason: `${what}: ${why}`, observed, evidence, remedy };
      }
      const unknown = HTTP_SURFACES.filter((s) => d.surfaces[s].state === "error");
      if (unknown.length > 0) {
        const reasons = unknown.map((s) => `${s}: ${d.surfaces[s].reason}`).join("; ");
        return { status: "error", reason: `could not tell whether every surface is served: ${reasons}`, observed, evidence };
      }
      if (d.present.length > 0) {
        const version = d.version ?? `version not stated; surfaces imply ${d.versionRange}`;
        return { status: "passed", reason: `surfaces: ${d.present.join(", ")} (${version})`, observed, evidence };
      }
      if (HTTP_SURFACES.some((s) => d.surfaces[s].state === "unauthorized")) {
        return { status: "inconclusive", reason: "every model surface refused us without a token", observed, evidence, remedy: REMEDY.token };
      }
      return { status: "error", reason: "LM Studio answered the greeting but no model surface answered", observed, evidence };
    },
  }),
];
