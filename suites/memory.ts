/** @module memory: what is loaded fits the standard's budget, and the host refuses loads that would not fit. */
import { RestV1ModelList } from "../contracts/lmstudio/rest-v1-models.ts";
import { catalogueFrom } from "../harness/model-state/catalogue.ts";
import { defineCheck } from "../harness/types.ts";
import { onlyWhen } from "./applicability.ts";
import { DriverError } from "../harness/lifecycle/driver.ts";
import { mutationFailure, withSession } from "./session-outcomes.ts";

const GB = 1e9;

const withinBudget = onlyWhen((s) => s.memory.maxLoadedBytes !== null, () => "the standard sets no memory.maxLoadedBytes", defineCheck({
  id: "memory.within-budget",
  title: "Loaded models fit the memory budget",
  must: "The summed size_bytes of every loaded instance MUST NOT exceed the standard's `memory.maxLoadedBytes`.",
  concern: "memory",
  required: true,
  mutates: false,
  needs: ["surfaces.discovered"],
  remedy: "Unload models until the host is within budget (`lms unload <model>`, or `lms ps` to see what is loaded), or raise `memory.maxLoadedBytes` in the standard.",
  async run(ctx) {
    const budget = ctx.standard.memory.maxLoadedBytes ?? 0;
    const d = await ctx.discovery();
    const v1 = d.surfaces["rest-v1"];
    const parsed = v1.state === "present" ? RestV1ModelList.safeParse(v1.json) : null;
    if (!parsed?.success) {
      return {
        status: "inconclusive",
        reason: "model sizes are unknown here: only /api/v1/models states size_bytes",
        evidence: [v1.evidence],
        remedy: "Update LM Studio to 0.4.0+ so /api/v1/models reports size_bytes.",
      };
    }
    // Each instance holds its own copy of the weights, so a `:2` instance counts twice.
    const rows = parsed.data.models.flatMap((m) => m.loaded_instances.map((i) => ({ instance: i.id, bytes: m.size_bytes })));
    const total = rows.reduce((sum, r) => sum + r.bytes, 0);
    const observed = { loadedBytes: total, maxLoadedBytes: budget, instances: rows };
    const text = `${(total / GB).toFixed(2)} GB loaded of a ${(budget / GB).toFixed(2)} GB budget`;
    if (total <= budget) return { status: "passed", reason: text, observed, evidence: [v1.evidence] };
    return { status: "failed", reason: `over budget: ${text}`, observed, evidence: [v1.evidence] };
  },
}));

const GUARDRAIL = /insufficient system resources|guardrail|model_load_failed/i;

const overBudgetRefused = defineCheck({
  id: "memory.over-budget-refused",
  title: "A load that would not fit is refused, and nothing else is evicted",
  must: "Loading a model that exceeds the host's capacity SHOULD fail with LM Studio's guardrail error, and the models already loaded MUST stay loaded.",
  concern: "memory",
  required: false,
  mutates: true,
  needs: ["surfaces.discovered"],
  remedy: 'In LM Studio: Settings → "Model Loading Guardrails": keep them on (not "Off"), so an oversized load is refused instead of freezing the machine or evicting models.',
  async run(ctx) {
    const catalogue = catalogueFrom(await ctx.discovery());
    const largest = (catalogue ?? []).filter((m) => !m.loaded && m.sizeBytes !== null).sort((a, b) => (b.sizeBytes ?? 0) - (a.sizeBytes ?? 0))[0];
    if (!largest) return { status: "inconclusive", reason: "no unloaded model with a known size to try" };
    return withSession(ctx, async (session) => {
      const before = session.snapshot.map((i) => i.id).sort();
      let refusal: DriverError | null = null;
      try {
        await session.load(largest.key);
      } catch (error) {
        if (!(error instanceof DriverError)) return mutationFailure(`loading ${largest.key}`, error);
        refusal = error;
      }
      const after = (await session.driver.listLoaded()).map((i) => i.id).sort();
      const evicted = before.filter((id) => !after.includes(id));
      const observed = { model: largest.key, sizeBytes: largest.sizeBytes, refused: refusal !== null, evicted, hostSaid: refusal?.body?.slice(0, 300) ?? null };
      if (evicted.length > 0) return { status: "failed", reason: `loading ${largest.key} evicted ${evicted.join(", ")}`, observed };
      if (!refusal) return { status: "inconclusive", reason: `the host had room for ${largest.key} (${((largest.sizeBytes ?? 0) / GB).toFixed(1)} GB), so no refusal could be seen`, observed };
      if (!GUARDRAIL.test(refusal.message)) return { status: "failed", reason: `refused, but not with LM Studio's guardrail error: ${refusal.message}`, observed };
      return { status: "passed", reason: `refused ${largest.key} with the guardrail error; loaded models untouched`, observed };
    });
  },
});

export const memoryChecks = [withinBudget, overBudgetRefused];
