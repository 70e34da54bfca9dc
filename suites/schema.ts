/** @module schema: each model surface's payload against its contract, with instance paths and drift. */
import type { ContractId } from "../contracts/index.ts";
import { formatIssues, validateContract } from "../harness/schema-validator.ts";
import type { HttpSurface } from "../harness/surfaces.ts";
import { defineCheck, type Check } from "../harness/types.ts";
import { notPresentOutcome } from "./outcomes.ts";
import { REMEDY } from "./remedies.ts";

/** Ids a list repeats: a model listed twice is a bug a router would double-count. */
function duplicateIds(json: unknown): string[] {
  const body = json as { data?: { id?: unknown }[]; models?: { key?: unknown }[] };
  const ids = (body.data ?? []).map((m) => m.id).concat((body.models ?? []).map((m) => m.key)).filter((x): x is string => typeof x === "string");
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}

function schemaCheck(id: string, surface: HttpSurface, contract: ContractId, path: string, required: boolean): Check {
  return defineCheck({
    id,
    title: `${path} matches its contract`,
    must: `${path} MUST return a payload that validates against ${contract} (extra fields are reported as drift).`,
    concern: "schema",
    required,
    mutates: false,
    needs: ["surfaces.discovered"],
    remedy: REMEDY.reportBug,
    async run(ctx) {
      const reading = (await ctx.discovery()).surfaces[surface];
      if (reading.state !== "present") return notPresentOutcome(reading);
      const report = validateContract(contract, reading.json);
      const observed = { contract, issues: report.issues, drift: report.drift };
      const evidence = [reading.evidence];
      if (!report.valid) {
        return { status: "failed", reason: `${path} violates ${contract}:\n${formatIssues(report.issues)}`, observed, evidence };
      }
      const duplicates = duplicateIds(reading.json);
      if (duplicates.length > 0) {
        return { status: "failed", reason: `${path} lists the same model more than once: ${duplicates.slice(0, 5).join(", ")}`, observed: { ...observed, duplicates }, evidence };
      }
      const drift = report.drift.length > 0 ? `; drift (fields the contract does not know): ${report.drift.slice(0, 5).join(", ")}` : "";
      return { status: "passed", reason: `${path} validates against ${contract}${drift}`, observed, evidence };
    },
  });
}

/** /v1/models exists on every LM Studio, so it is required; the REST surfaces depend on the version. */
export const schemaChecks = [
  schemaCheck("schema.openai-models", "openai", "lmstudio.openai.ModelList", "GET /v1/models", true),
  schemaCheck("schema.rest-v0-models", "rest-v0", "lmstudio.v0.ModelList", "GET /api/v0/models", false),
  schemaCheck("schema.rest-v1-models", "rest-v1", "lmstudio.v1.ModelList", "GET /api/v1/models", false),
];
