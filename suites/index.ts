/** @module The registry: every check, in the order it runs. Ids are unique; a duplicate fails at load time. */
import type { Check } from "../harness/types.ts";
import { authChecks } from "./auth.ts";
import { bindChecks } from "./bind.ts";
import { configChecks } from "./config.ts";
import { contractChecks } from "./contract.ts";
import { corsChecks } from "./cors.ts";
import { healthChecks } from "./health.ts";
import { inferenceChecks } from "./inference.ts";
import { lifecyclePolicyChecks } from "./lifecycle-policy.ts";
import { lifecycleChecks } from "./lifecycle.ts";
import { listingChecks } from "./listing.ts";
import { memoryChecks } from "./memory.ts";
import { modelChecks } from "./models.ts";
import { schemaChecks } from "./schema.ts";
import { stateChecks } from "./state.ts";
import { surfaceChecks } from "./surfaces.ts";

function registry(checks: readonly Check[]): readonly Check[] {
  const seen = new Set<string>();
  for (const check of checks) {
    if (seen.has(check.id)) throw new Error(`A check named "${check.id}" is already registered`);
    seen.add(check.id);
  }
  return checks;
}

export const checks: readonly Check[] = registry([
  ...healthChecks,
  ...surfaceChecks,
  ...schemaChecks,
  ...stateChecks,
  ...listingChecks,
  ...corsChecks,
  ...bindChecks,
  ...authChecks,
  ...modelChecks,
  ...memoryChecks,
  // Before the lifecycle checks: it asks a model that is loaded now, in the host's own state, and loads nothing.
  ...inferenceChecks,
  ...lifecycleChecks,
  ...lifecyclePolicyChecks,
  ...contractChecks,
  // Last: it compares LM Studio's saved settings against what the checks above observed.
  ...configChecks,
]);
