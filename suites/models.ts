/** @module models: every model the standard requires is downloaded on the host. */
import { catalogueFrom } from "../harness/model-state/catalogue.ts";
import { difference, modelKeyFor } from "../harness/model-state/ids.ts";
import { defineCheck } from "../harness/types.ts";
import { onlyWhen } from "./applicability.ts";

export const modelChecks = [
  onlyWhen((s) => s.models.required.length > 0, () => "the standard requires no models", defineCheck({
    id: "models.required-present",
    title: "Required models are downloaded",
    must: "Every model key in the standard's `models.required` MUST be available (downloaded) on the host.",
    concern: "models",
    required: true,
    mutates: false,
    needs: ["surfaces.discovered"],
    remedy: "Download the missing models on the host: `lms get <model>` (or LM Studio → Discover), then re-run.",
    async run(ctx) {
      const wanted = ctx.standard.models.required;
      const d = await ctx.discovery();
      // rest-v1 lists every download; rest-v0 only when it lists unloaded models too (it follows JIT).
      const catalogue = catalogueFrom(d);
      const evidence = [d.surfaces["rest-v1"].evidence, d.surfaces["rest-v0"].evidence];
      if (!catalogue) {
        return {
          status: "inconclusive",
          reason: "no surface here states which models are downloaded (rest-v1 absent; rest-v0 lists only loaded models because JIT is off)",
          evidence,
          remedy: "Update LM Studio to 0.4.0+ so /api/v1/models lists every downloaded model, or check by hand with `lms ls`.",
        };
      }
      const available = catalogue.map((m) => m.key);
      const missing = difference(wanted.map((id) => modelKeyFor(id)), available);
      const observed = { required: wanted, available, missing };
      if (missing.length === 0) return { status: "passed", reason: `all ${wanted.length} required models are downloaded`, observed, evidence };
      return { status: "failed", reason: `missing: ${missing.join(", ")}`, observed, evidence, remedy: missing.map((m) => `lms get ${m}`).join(" && ") };
    },
  })),
];
