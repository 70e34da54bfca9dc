/** @module What the lifecycle checks share: the required rule, model choice, and waiting for surfaces to agree. */
import { chooseLifecycleModel, catalogueFrom } from "../harness/model-state/catalogue.ts";
import { modelKeyFor } from "../harness/model-state/ids.ts";
import { readLiveState, type LiveState } from "../harness/model-state/live-state.ts";
import { pollUntil } from "../harness/lifecycle/poll.ts";
import type { CheckContext, Outcome } from "../harness/types.ts";

export const mutatingRequired = (_s: unknown, run: { allowMutations: boolean }) => run.allowMutations;

/** Which surfaces disagree that `instanceId` (of `model`) is loaded (`want: true`) or gone (`want: false`). */
export function disagreeing(live: LiveState, model: string, instanceId: string, want: boolean, listsLoadedOnly: boolean): string[] {
  const out: string[] = [];
  if (live.v1) {
    const has = live.v1.instances?.some((i) => i.id === instanceId) ?? false;
    if (has !== want) out.push(`rest-v1 loaded_instances ${has ? "still has" : "lacks"} ${instanceId}`);
  }
  if (live.v0 && live.v0.loaded) {
    // rest-v0 states per model: it stays "loaded" while another instance of the model remains.
    const others = (live.v1?.instances ?? []).some((i) => i.model === model && i.id !== instanceId);
    const expected = want || others;
    const has = live.v0.loaded.includes(model);
    if (has !== expected) out.push(`rest-v0 says ${model} is ${has ? "loaded" : "not-loaded"}`);
  }
  if (listsLoadedOnly && live.listed) {
    const has = live.listed.includes(instanceId);
    if (has !== want) out.push(`/v1/models ${has ? "still lists" : "does not list"} ${instanceId}`);
  }
  return out;
}

export async function waitForAgreement(ctx: CheckContext, model: string, instanceId: string, want: boolean, timeoutMs: number) {
  const discovery = await ctx.discovery();
  // /v1/models is a state surface only where it lists loaded models; a JIT host's listing is judged by
  // listing.matches-standard, not waited on here.
  const loadedOnly = ctx.standard.listing === "loaded-only" && ctx.result("listing.matches-standard")?.observed["behaviour"] === "loaded-only";
  return pollUntil(
    async () => {
      const live = await readLiveState(ctx.http, discovery);
      return { live, problems: disagreeing(live, model, instanceId, want, loadedOnly) };
    },
    (x) => x.problems.length === 0,
    { timeoutMs, signal: ctx.signal },
  );
}

export function lifecycleModel(ctx: CheckContext, discovery: Awaited<ReturnType<CheckContext["discovery"]>>): string | null {
  return chooseLifecycleModel(catalogueFrom(discovery), ctx.lifecycleModel);
}

export const NO_MODEL: Outcome = {
  status: "inconclusive",
  reason: "no lifecycle model: nothing downloaded and unloaded to try, and none configured",
  remedy: "Set `lifecycle.model` in the standard (or `lifecycleModel` in the inventory, or --lifecycle-model) to a small downloaded LLM, e.g. `lms get qwen2.5-0.5b-instruct`.",
};


export function isLoaded(live: LiveState, model: string): boolean {
  return (live.v1?.loaded ?? live.v0?.loaded ?? live.listed?.map((id) => modelKeyFor(id)) ?? []).includes(model);
}

