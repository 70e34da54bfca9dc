/** @module lifecycle policy: nothing loads behind the router's back, and loads do not stack instances silently. */
import { chooseLifecycleModel, catalogueFrom } from "../harness/model-state/catalogue.ts";
import { readLiveState } from "../harness/model-state/live-state.ts";
import { isHttpError } from "../harness/errors.ts";
import { joinUrl } from "../harness/surfaces.ts";
import { defineCheck } from "../harness/types.ts";
import { REMEDY } from "./remedies.ts";
import { isLoaded, mutatingRequired, NO_MODEL } from "./lifecycle-support.ts";
import { mutationFailure, withSession } from "./session-outcomes.ts";

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

export const lifecyclePolicyChecks = [noImplicitLoad, noDuplicates];
