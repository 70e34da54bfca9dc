/** @module lifecycle: models load and unload on demand, and every surface follows. */
import { MutationSession } from "../harness/lifecycle/session.ts";
import { defineCheck } from "../harness/types.ts";
import { REMEDY } from "./remedies.ts";
import { lifecycleModel, mutatingRequired, NO_MODEL, waitForAgreement } from "./lifecycle-support.ts";
import { mutationFailure, openSession, withSession } from "./session-outcomes.ts";

const load = defineCheck({
  id: "lifecycle.load",
  title: "A model loads on demand and every surface follows",
  must: "Loading the lifecycle model MUST succeed, and within the load timeout every surface (rest-v1 loaded_instances, rest-v0 state, /v1/models on a loaded-only host) MUST report it loaded.",
  concern: "lifecycle",
  required: mutatingRequired,
  mutates: true,
  needs: ["surfaces.discovered"],
  remedy: "Check the model loads in LM Studio (`lms load <model>`): it may not fit in memory under the current guardrails, or the download may be incomplete (`lms get <model>`).",
  async run(ctx) {
    const discovery = await ctx.discovery();
    const model = lifecycleModel(ctx, discovery);
    if (!model) return NO_MODEL;
    // No restore at the end: lifecycle.unload unloads this instance (the run's final restore covers failures).
    const session = await openSession(ctx);
    if (!(session instanceof MutationSession)) return session;
    const budgetMs = ctx.standard.lifecycle.loadTimeoutSeconds * 1000;
    const started = performance.now();
    let loaded;
    try {
      loaded = await session.load(model);
    } catch (error) {
      return mutationFailure(`loading ${model}`, error);
    }
    session.lifecycleInstance = { model, instanceId: loaded.instanceId };
    const requestMs = performance.now() - started;
    const poll = await waitForAgreement(ctx, model, loaded.instanceId, true, Math.max(0, budgetMs - requestMs));
    const observed = {
      driver: session.driver.name,
      model,
      instanceId: loaded.instanceId,
      hostLoadTimeSeconds: loaded.loadTimeSeconds,
      requestMs: Math.round(requestMs),
      convergedAfterMs: Math.round(requestMs + poll.elapsedMs),
      polls: poll.attempts,
    };
    const evidence = [...(poll.last?.live.evidence ?? [])];
    if (!poll.ok) {
      return { status: "failed", reason: `loaded ${loaded.instanceId}, but surfaces still disagree: ${poll.last?.problems.join("; ")}`, observed, evidence, remedy: REMEDY.reportBug };
    }
    return { status: "passed", reason: `loaded ${model} as ${loaded.instanceId}; every surface agreed after ${observed.convergedAfterMs} ms`, observed, evidence };
  },
});

const unload = defineCheck({
  id: "lifecycle.unload",
  title: "A model unloads on demand and every surface follows",
  must: "Unloading the instance lifecycle.load loaded MUST succeed, and every surface MUST then report it gone.",
  concern: "lifecycle",
  required: mutatingRequired,
  mutates: true,
  needs: ["lifecycle.load"],
  remedy: "Unload it by hand (`lms unload <model>`) and check LM Studio's server log for the error.",
  async run(ctx) {
    return withSession(ctx, async (session) => {
      const target = session.lifecycleInstance;
      if (!target) return { status: "error", reason: "lifecycle.load left no instance to unload" };
      const started = performance.now();
      try {
        await session.unload(target.instanceId);
      } catch (error) {
        return mutationFailure(`unloading ${target.instanceId}`, error);
      }
      session.lifecycleInstance = null;
      const poll = await waitForAgreement(ctx, target.model, target.instanceId, false, ctx.standard.lifecycle.loadTimeoutSeconds * 1000);
      const observed = { instanceId: target.instanceId, convergedAfterMs: Math.round(performance.now() - started), polls: poll.attempts };
      const evidence = [...(poll.last?.live.evidence ?? [])];
      if (!poll.ok) return { status: "failed", reason: `unloaded ${target.instanceId}, but ${poll.last?.problems.join("; ")}`, observed, evidence, remedy: REMEDY.reportBug };
      return { status: "passed", reason: `unloaded ${target.instanceId}; every surface agreed after ${observed.convergedAfterMs} ms`, observed, evidence };
    });
  },
});

export const lifecycleChecks = [load, unload];
