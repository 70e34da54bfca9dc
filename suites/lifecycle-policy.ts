/** @module lifecycle policy: nothing loads behind the router's back, and loads do not stack instances silently. */
import type { Evidence } from "../contracts/certificate.ts";
import { minimalChat, readInferenceAnswer, type InferenceAnswer } from "../harness/inference-answer.ts";
import { chooseLifecycleModel, catalogueFrom } from "../harness/model-state/catalogue.ts";
import { modelKeyFor } from "../harness/model-state/ids.ts";
import { readLiveState } from "../harness/model-state/live-state.ts";
import { isHttpError } from "../harness/errors.ts";
import { joinUrl } from "../harness/surfaces.ts";
import { defineCheck, type Outcome } from "../harness/types.ts";
import { REMEDY } from "./remedies.ts";
import { isLoaded, mutatingRequired, NO_MODEL } from "./lifecycle-support.ts";
import { mutationFailure, withSession } from "./session-outcomes.ts";

const noImplicitLoad = defineCheck({
  id: "lifecycle.no-implicit-load",
  title: "Inference never loads a model behind the router's back (loaded-only)",
  must: "On a loaded-only host, a chat request for a downloaded but unloaded model MUST NOT load it: LM Studio's refusal, or an answer by a model that was already loaded, both keep the loaded set; on an all-available host it MUST load it (JIT).",
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
      // "Implicit load" is decided from the loaded set before and after, never from the status: a JIT-off host
      // with one model loaded answers HTTP 200 for any model name, with that model (lmstudio-api.md Part C).
      // A load of this model that lmcert itself started (lifecycle.load's, given up on after the standard's
      // loadTimeoutSeconds) may land at any moment: its arrival would be read as the request's JIT load (issue 15.2).
      if (session.hasPendingLoadOf(model)) return ownLoadPending(model);
      const before = await readLiveState(ctx.http, discovery);
      if (isLoaded(before, model)) {
        return { status: "inconclusive", reason: `${model} is already loaded, so a request for it cannot show whether it would be loaded`, evidence: [...before.evidence], remedy: "Pick an unloaded model with --lifecycle-model (or `lifecycle.model` in the standard) and re-run." };
      }
      const jitRequestEnded = session.noteJitRequest(model);
      let exchange;
      try {
        exchange = await ctx.http.send("POST", joinUrl(ctx.host.url, "v1/chat/completions"), {
          json: minimalChat(model, { ttl: ttlSeconds }),
          timeoutMs: ctx.standard.lifecycle.loadTimeoutSeconds * 1000,
        });
        jitRequestEnded("ended");
      } catch (error) {
        // No answer: a JIT load the request started may still land; the restore waits for it.
        jitRequestEnded("gave-up");
        if (isHttpError(error)) return { status: "error", reason: error.message, evidence: [error.evidence] };
        throw error;
      }
      const after = await readLiveState(ctx.http, discovery);
      const loadedNow = isLoaded(after, model);
      const answer = readInferenceAnswer(exchange, "chat");
      const answeredBy = answer.kind === "answered" ? answer.answeredBy : null;
      const observed = {
        model,
        status: exchange.status,
        answer: answer.kind,
        answeredBy,
        refusal: answer.kind === "refused" ? answer.refusal : null,
        loadedBefore: false,
        loadedAfterRequest: loadedNow,
        requestedTtlSeconds: ttlSeconds,
      };
      const evidence = [...before.evidence, exchange.evidence, ...after.evidence];
      if (session.hasPendingLoadOf(model)) return { ...ownLoadPending(model), observed, evidence };
      if (ctx.standard.listing === "loaded-only") return judgeLoadedOnly(model, answer, loadedNow, observed, evidence);
      if (answer.kind === "answered" && loadedNow) {
        return { status: "passed", reason: `JIT loaded ${model} for the request (TTL requested: ${ttlSeconds} s; LM Studio's default for JIT loads is 60 min)`, observed, evidence };
      }
      const how = answer.kind === "broken" ? answer.why : answer.kind === "refused" ? `refused: ${answer.message}` : `answered by ${answer.answeredBy}`;
      return { status: "failed", reason: `the request did not JIT-load ${model} (${how})`, observed, evidence, remedy: REMEDY.jitOn };
    });
  },
});

/** lmcert's own load of `model` has not been seen to land or fail: nothing the host does with `model` proves anything. */
function ownLoadPending(model: string): Outcome {
  return {
    status: "inconclusive",
    reason: `cannot tell: a load of ${model} that lmcert started itself (and stopped waiting for) may still land, and would look like a load the request caused`,
    remedy: "Raise lifecycle.loadTimeoutSeconds in the standard to at least this model's load time on this host (or pick a smaller model with --lifecycle-model), then re-run.",
  };
}

/** Loaded-only: nothing may be loaded by the request; only LM Studio's own answers or refusals show that. */
function judgeLoadedOnly(model: string, answer: InferenceAnswer, loadedNow: boolean, observed: Record<string, unknown>, evidence: Evidence[]): Outcome {
  const base = { observed, evidence };
  if (loadedNow) {
    return { ...base, status: "failed", reason: `the request loaded ${model} (JIT is on): the router's view of loaded models is now stale` };
  }
  switch (answer.kind) {
    case "refused":
      return { ...base, status: "passed", reason: `refused with LM Studio's "${answer.refusal}" error (HTTP ${answer.status}) and did not load ${model}` };
    case "answered":
      if (modelKeyFor(answer.answeredBy) !== model) {
        return { ...base, status: "passed", reason: `did not load ${model}: the one loaded model ${answer.answeredBy} answered instead (JIT off; see inference.no-model-substitution for the hazard)` };
      }
      return { ...base, status: "failed", reason: `answered a chat as ${answer.answeredBy}, yet no surface shows ${model} loaded before or after: the host's state surfaces disagree with its answers`, remedy: REMEDY.reportBug };
    case "broken":
      // A 5xx or a proxy's page is not LM Studio refusing: it proves nothing about loading (issue 15.4).
      return { ...base, status: "inconclusive", reason: `cannot tell: ${answer.why}`, remedy: REMEDY.inferenceBroken };
  }
}

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
