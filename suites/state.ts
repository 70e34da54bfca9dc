/** @module state: some surface must state loaded vs available, or nobody (router included) can know it. */
import { AUTHORITATIVE_ORDER, authoritativeView, readingEvidence, stateReadings, stateSurfaceStates } from "../harness/model-state/authoritative.ts";
import { defineCheck } from "../harness/types.ts";
import { REMEDY } from "./remedies.ts";

export const stateChecks = [
  defineCheck({
    id: "state.authoritative-surface",
    title: "Loaded vs available is stated by the host",
    must: "At least one surface (/api/v1/models loaded_instances, /api/v0/models state, or the SDK websocket) MUST state which models are loaded.",
    concern: "state",
    required: true,
    mutates: false,
    needs: ["surfaces.discovered"],
    remedy: REMEDY.upgradeForState,
    async run(ctx) {
      const discovery = await ctx.discovery();
      const readings = stateReadings(discovery);
      const evidence = readingEvidence(readings);
      const why = Object.fromEntries(AUTHORITATIVE_ORDER.map((s) => [s, readings[s].reason]));
      const view = authoritativeView(readings);
      // A state surface that answers with a payload breaking its contract states the model state wrongly, even
      // when another surface gets it right: a client reading that one would be misled.
      const stateOf = stateSurfaceStates(discovery);
      const broken = AUTHORITATIVE_ORDER.filter((s) => stateOf[s] === "present" && readings[s].view === null);
      if (view && broken.length > 0) {
        const why = broken.map((s) => `${s}: ${readings[s].reason}`).join("; ");
        return { status: "failed", reason: `a state surface answers with a broken payload: ${why}`, observed: { surfaces: Object.fromEntries(AUTHORITATIVE_ORDER.map((s) => [s, readings[s].reason])) }, evidence, remedy: REMEDY.reportBug };
      }
      if (view) {
        // The counts are kept beside the lists: a stored list is cut at 50 ids (server-text.ts), a count is not.
        const observed = {
          source: view.source,
          available: view.available,
          loaded: view.loaded,
          availableCount: view.available?.length ?? null,
          loadedCount: view.loaded?.length ?? null,
          instances: view.instances,
          notes: view.notes,
          surfaces: why,
        };
        return { status: "passed", reason: `${view.source} states the loaded models (${view.loaded?.length ?? 0} loaded)`, observed, evidence };
      }
      const states = AUTHORITATIVE_ORDER.map((s) => stateOf[s]);
      const summary = AUTHORITATIVE_ORDER.map((s) => `${s}: ${readings[s].reason}`).join("; ");
      if (states.includes("unauthorized")) return { status: "inconclusive", reason: summary, observed: { surfaces: why }, evidence, remedy: REMEDY.token };
      if (states.includes("error")) return { status: "error", reason: summary, observed: { surfaces: why }, evidence };
      const invalid = states.includes("present");
      return {
        status: "failed",
        reason: invalid ? `a state surface answered but its payload breaks the contract: ${summary}` : `no state surface: ${summary}`,
        observed: { surfaces: why },
        evidence,
        ...(invalid ? { remedy: REMEDY.reportBug } : {}),
      };
    },
  }),
];
