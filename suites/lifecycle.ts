/** @module lifecycle: models load and unload on demand, every surface follows, and nothing loads behind our back. */
import { chooseLifecycleModel, catalogueFrom } from "../harness/model-state/catalogue.ts";
import { modelKeyFor } from "../harness/model-state/ids.ts";
import { readLiveState, type LiveState } from "../harness/model-state/live-state.ts";
import { pollUntil } from "../harness/lifecycle/poll.ts";
import { isHttpError } from "../harness/errors.ts";
import { joinUrl } from "../harness/surfaces.ts";
import { defineCheck, type CheckContext, type Outcome } from "../harness/types.ts";
import { REMEDY } from "./remedies.ts";
import { MutationSession } from "../harness/lifecycle/session.ts";
import { mutationFailure, openSession, withSession } from "./session-outcomes.ts";

const mutatingRequired = (_s: unknown, run: { allowMutations: boolean }) => run.allowMutations;

/** Which surfaces disagree that `instanceId` (of `model`) is loaded (`want: true`) or gone (`want: false`). */
function disagreeing(live: LiveState, model: string, instanceId: string, want: boolean, listsLoadedOnly: boolean): string[] {
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

async function waitForAgreement(ctx: CheckContext, model: string, instanceId: string, want: boolean, timeoutMs: number) {
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

function lifecycleModel(ctx: CheckContext, discovery: Awaited<ReturnType<CheckContext["discovery"]>>): string | null {
  return chooseLifecycleModel(catalogueFrom(discovery), ctx.lifecycleModel);
}

const NO_MODEL: Outcome = {
  status: "inconclusive",
  reason: "no lifecycle model: nothing downloaded and unloaded to try, and none configured",
  remedy: "Set `lifecycle.model` in the standard (or `lifecycleModel` in the inventory, or --lifecycle-model) to a small downloaded LLM, e.g. `lms get qwen2.5-0.5b-instruct`.",
};

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

function isLoaded(live: LiveState, model: string): boolean {
  return (live.v1?.loaded ?? live.v0?.loaded ?? live.listed?.map((id) => modelKeyFor(id)) ?? []).includes(model);
}

const noImplicitLoad = defineCheck({
  id: "lifecycle.no-implicit-load",
  title: "Inference never loads a model behind the router's back (loaded-only)",
  must: "On a loaded-only host, a chat request for a downloaded but unloaded model MUST be refused and MUST NOT load it; on an all-available host it MUST load it (JIT).",
  concern: "lifecycle",
  required: mutatingRequired,
  mutates: true,
  needs: ["surfaces.discovered"],
  remedy: REMEDY.jitOff,
  async run(ctx) {
    const discovery = await ctx.discovery();
    const model = chooseLifecycleModel(catalogueFrom(discovery), null) ?? ctx.lifecycleModel;
    if (!model) return NO_MODEL;
    return withSession(ctx, async (session) => {
      const ttlSeconds = 60;
      session.noteJitRequest(model);
      let exchange;
      try {
        exchange = await ctx.http.send("POST", joinUrl(ctx.host.url, "v1/chat/completions"), {
          json: { model, messages: [{ role: "user", content: "Reply with OK." }], max_tokens: 1, ttl: ttlSeconds },
          timeoutMs: ctx.standard.lifecycle.loadTimeoutSeconds * 1000,
        });
      } catch (error) {
        if (isHttpError(error)) return { status: "error", reason: error.message, evidence: [error.evidence] };
        throw error;
      }
      const live = await readLiveState(ctx.http, discovery);
      const loadedNow = isLoaded(live, model);
      const answered = exchange.status >= 200 && exchange.status < 300 && !/"error"/.test(exchange.bodyText.slice(0, 200));
      const observed = { model, status: exchange.status, answered, loadedAfterRequest: loadedNow, requestedTtlSeconds: ttlSeconds };
      const evidence = [exchange.evidence, ...live.evidence];
      if (ctx.standard.listing === "loaded-only") {
        if (!answered && !loadedNow) return { status: "passed", reason: `refused with HTTP ${exchange.status} and did not load ${model}`, observed, evidence };
        return {
          status: "failed",
          reason: loadedNow ? `the request loaded ${model} (JIT is on): the router's view of loaded models is now stale` : `answered a chat for unloaded ${model}`,
          observed,
          evidence,
        };
      }
      if (answered && loadedNow) {
        return { status: "passed", reason: `JIT loaded ${model} for the request (TTL requested: ${ttlSeconds} s; LM Studio's default for JIT loads is 60 min)`, observed, evidence };
      }
      return { status: "failed", reason: `the request did not JIT-load ${model} (HTTP ${exchange.status})`, observed, evidence, remedy: REMEDY.jitOn };
    });
  },
});

const noDuplicates = defineCheck({
  id: "lifecycle.no-duplicate-instances",
  title: "Loading a loaded model does not stack a second instance",
  must: "Loading an already-loaded model MUST NOT silently add a `<key>:2` instance unless the standard's `lifecycle.allowDuplicateInstances` is true.",
  concern: "lifecycle",
  required: false,
  mutates: true,
  needs: ["surfaces.discovered"],
  remedy:
    "LM Studio stacks `<key>:2` on a second `lms load`/REST load (bug-tracker#1582). Make loaders check loaded_instances first (readModelState), or set `lifecycle.allowDuplicateInstances: true` if the fleet relies on parallel instances.",
  async run(ctx) {
    const catalogue = catalogueFrom(await ctx.discovery());
    // The exact scenario: a load request for a model that is already loaded (smallest such LLM), else the
    // lifecycle model loaded once first.
    const loadedLlm = (catalogue ?? []).filter((m) => m.type === "llm" && m.loaded).sort((a, b) => (a.sizeBytes ?? 0) - (b.sizeBytes ?? 0))[0];
    const model = loadedLlm?.key ?? chooseLifecycleModel(catalogue, ctx.lifecycleModel);
    if (!model) return NO_MODEL;
    return withSession(ctx, async (session) => {
      const before = (await session.driver.listLoaded()).filter((i) => i.model === model).length;
      let second;
      try {
        if (!loadedLlm) await session.load(model);
        second = await session.load(model);
      } catch (error) {
        return mutationFailure(`loading ${model} again`, error);
      }
      const instances = (await session.driver.listLoaded()).filter((i) => i.model === model).map((i) => i.id);
      const stacked = instances.length > Math.max(before, 1);
      const observed = { model, alreadyLoaded: Boolean(loadedLlm), secondLoadInstance: second.instanceId, instances };
      if (!stacked) return { status: "passed", reason: `loading ${model} again reused ${second.instanceId} (${instances.length} instance)`, observed };
      if (ctx.standard.lifecycle.allowDuplicateInstances) {
        return { status: "passed", reason: `stacks ${second.instanceId} when ${model} is loaded again, which the standard allows`, observed };
      }
      return { status: "failed", reason: `loading ${model} again silently stacked ${second.instanceId} (instances now: ${instances.join(", ")})`, observed };
    });
  },
});

export const lifecycleChecks = [load, unload, noImplicitLoad, noDuplicates];
