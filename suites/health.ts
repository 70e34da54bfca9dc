/** @module health: is this an LM Studio server at all, asked the way `lms` asks (never by loading a model). */
import { couldNotAsk } from "../harness/surfaces.ts";
import { defineCheck } from "../harness/types.ts";
import { REMEDY, notLmStudioRemedy, unreachableRemedy } from "./remedies.ts";

export const healthChecks = [
  defineCheck({
    id: "health.greeting",
    title: "LM Studio greeting",
    must: "GET /lmstudio-greeting MUST answer HTTP 200 with JSON `lmstudio: true`.",
    concern: "health",
    required: true,
    mutates: false,
    remedy: REMEDY.serverRunning,
    async run(ctx) {
      // Reuses discovery's GET: a health probe is one cheap request and never an inference call that could JIT-load.
      const { greeting, isLmStudio } = await ctx.discovery();
      const evidence = [greeting.evidence];
      if (isLmStudio) return { status: "passed", reason: "GET /lmstudio-greeting says lmstudio: true", evidence };
      if (couldNotAsk(greeting)) {
        return { status: "error", reason: greeting.reason, evidence, remedy: unreachableRemedy(greeting.errorKind, ctx.host.url) };
      }
      return {
        status: "failed",
        reason: `GET /lmstudio-greeting did not say lmstudio: true (${greeting.reason})`,
        observed: { greetingState: greeting.state },
        evidence,
        remedy: notLmStudioRemedy(ctx.host.url),
      };
    },
  }),
];
