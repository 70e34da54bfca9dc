/**
 * @module inference: a loaded model really answers, and a request for one model is never answered by another.
 * Neither check loads anything: the first asks only a model the host's authoritative state says is loaded, the
 * second asks for a model that does not exist, which no JIT setting can load.
 */
import type { Evidence } from "../contracts/certificate.ts";
import { isHttpError } from "../harness/errors.ts";
import type { Exchange } from "../harness/http/client.ts";
import { minimalChat, readInferenceAnswer, type InferenceAnswer } from "../harness/inference-answer.ts";
import { catalogueFrom } from "../harness/model-state/catalogue.ts";
import { authoritativeView, stateFromReading, stateReadings } from "../harness/model-state/authoritative.ts";
import type { ModelInstance } from "../harness/model-state/views.ts";
import { joinUrl, readSurface, SURFACE_PATHS } from "../harness/surfaces.ts";
import { defineCheck, type CheckContext, type Outcome } from "../harness/types.ts";
import { REMEDY } from "./remedies.ts";
import { lifecycleModel } from "./lifecycle-support.ts";
import { SAFE_MODEL } from "../harness/reporters/what-to-fix.ts";

/** One token of inference: a loaded model on a healthy host answers well within this. */
const INFERENCE_TIMEOUT_MS = 25_000;

/** A model name no host has: asking for it can never trigger a JIT load. */
export const ABSENT_MODEL = "lmcert-probe/no-such-model";

type Sent = { exchange: Exchange } | { outcome: Outcome };

async function post(ctx: CheckContext, path: string, json: unknown): Promise<Sent> {
  try {
    return { exchange: await ctx.http.send("POST", joinUrl(ctx.host.url, path), { json, timeoutMs: INFERENCE_TIMEOUT_MS }) };
  } catch (error) {
    if (isHttpError(error)) return { outcome: { status: "error", reason: error.message, evidence: [error.evidence] } };
    throw error;
  }
}

/**
 * The loaded instances right now, from the most authoritative surface only; null when none states them. A fresh
 * read, not discovery's: a JIT model may have hit its TTL since, and asking for it would load it again. One GET,
 * not every surface: this check runs under the ordinary per-check deadline.
 */
async function loadedInstances(ctx: CheckContext): Promise<{ instances: readonly ModelInstance[] | null; why: string; evidence: Evidence[] }> {
  const discovery = await ctx.discovery();
  for (const surface of ["rest-v1", "rest-v0"] as const) {
    if (discovery.surfaces[surface].state !== "present") continue;
    const reading = stateFromReading(surface, await readSurface(ctx.http, discovery.baseUrl, SURFACE_PATHS[surface]));
    return { instances: reading.view?.instances ?? null, why: reading.reason, evidence: reading.evidence ? [reading.evidence] : [] };
  }
  // 0.3.x before /api/v0, or where the REST surfaces broke: the SDK's reading from discovery, if it has one.
  const view = authoritativeView(stateReadings(discovery));
  return { instances: view?.instances ?? null, why: view ? `${view.source} states the loaded models` : "no surface states which models are loaded", evidence: [] };
}

function describeAnswer(answer: InferenceAnswer): string {
  if (answer.kind === "broken") return answer.why;
  if (answer.kind === "refused") return `refused with "${answer.message}" (HTTP ${answer.status})`;
  return `answered by ${answer.answeredBy}`;
}

const loadedModelAnswers = defineCheck({
  id: "inference.loaded-model-answers",
  title: "A loaded model answers a minimal request",
  must: "A model the host states is loaded MUST answer a minimal request (a chat with max_tokens 1, or embeddings for an embedding model) with LM Studio's answer, without any model being loaded for it.",
  concern: "inference",
  required: true,
  mutates: false,
  needs: ["surfaces.discovered"],
  remedy: REMEDY.inferenceBroken,
  async run(ctx) {
    const { instances, why, evidence } = await loadedInstances(ctx);
    if (instances === null) {
      return { status: "skipped", reason: `cannot tell which models are loaded (${why}), and asking for a model that is not loaded could load it; nothing was asked`, evidence };
    }
    const discovery = await ctx.discovery();
    if (instances.length === 0) {
      // Name a model the host has downloaded, so the command can be pasted: the lifecycle model if one is set,
      // else the smallest downloaded LLM (what lmcert's own lifecycle checks would pick).
      const suggested = lifecycleModel(ctx, discovery);
      const nameable = suggested !== null && SAFE_MODEL.test(suggested);
      const load = nameable ? `\`lms load ${suggested}\`` : "`lms load <model>` (`lms ls` lists the downloaded models)";
      const which = !nameable ? "" : ctx.lifecycleModel === suggested ? " (the lifecycle model)" : " (the smallest downloaded LLM)";
      return {
        status: "skipped",
        reason: `nothing is loaded, so inference cannot be shown without loading a model (this check never loads one): ${load}${which} and re-run`,
        observed: { loaded: [], suggestedModel: nameable ? suggested : null },
        evidence,
      };
    }
    // The smallest loaded LLM answers fastest; an embedding model only when no LLM is loaded.
    const catalogue = catalogueFrom(discovery) ?? [];
    const typeOf = (i: ModelInstance) => catalogue.find((m) => m.key === i.model)?.type ?? "llm";
    const sizeOf = (i: ModelInstance) => catalogue.find((m) => m.key === i.model)?.sizeBytes ?? Number.MAX_SAFE_INTEGER;
    const bySize = [...instances].sort((a, b) => sizeOf(a) - sizeOf(b));
    const target = bySize.find((i) => typeOf(i) === "llm") ?? (bySize[0] as ModelInstance);
    const endpoint = typeOf(target) === "llm" ? "chat" : "embeddings";
    const sent = endpoint === "chat"
      ? await post(ctx, "v1/chat/completions", minimalChat(target.id))
      : await post(ctx, "v1/embeddings", { model: target.id, input: "OK" });
    if ("outcome" in sent) return { ...sent.outcome, evidence: [...evidence, ...(sent.outcome.evidence ?? [])] };
    const answer = readInferenceAnswer(sent.exchange, endpoint);
    const observed = { model: target.id, endpoint: endpoint === "chat" ? "/v1/chat/completions" : "/v1/embeddings", status: sent.exchange.status, answer: answer.kind, answeredBy: answer.kind === "answered" ? answer.answeredBy : null };
    const all = [...evidence, sent.exchange.evidence];
    if (answer.kind === "answered") {
      return { status: "passed", reason: `${target.id} answered a minimal ${endpoint === "chat" ? "chat (max_tokens 1)" : "embeddings request"} as ${answer.answeredBy}`, observed, evidence: all };
    }
    return { status: "failed", reason: `loaded model ${target.id} did not answer: ${describeAnswer(answer)}`, observed, evidence: all };
  },
});

const noSubstitution = defineCheck({
  id: "inference.no-model-substitution",
  title: "A request for one model is never answered by another",
  must: "A chat naming a model the host does not have SHOULD be refused, not answered by whichever model is loaded: a router that asks for model X must not silently get model Y's answer.",
  concern: "inference",
  required: false,
  mutates: false,
  needs: ["surfaces.discovered"],
  remedy:
    "LM Studio with JIT off and exactly one model loaded answers a chat for ANY model name with that model (HTTP 200; the response's `model` names it: lmstudio-bug-tracker#619). A cluster router must compare the response's `model` with the model it asked for and treat a mismatch as an error, or keep at least two models loaded on the host (LM Studio then refuses with 404 `model_not_found`).",
  async run(ctx) {
    const { instances, evidence } = await loadedInstances(ctx);
    if (instances !== null && instances.length === 0) {
      return { status: "skipped", reason: "nothing is loaded, so no model could stand in for another", evidence };
    }
    // A name no host has: even a JIT host cannot load it, so this request changes nothing.
    const sent = await post(ctx, "v1/chat/completions", minimalChat(ABSENT_MODEL));
    if ("outcome" in sent) return { ...sent.outcome, evidence: [...evidence, ...(sent.outcome.evidence ?? [])] };
    const answer = readInferenceAnswer(sent.exchange, "chat");
    const observed = { asked: ABSENT_MODEL, status: sent.exchange.status, answer: answer.kind, answeredBy: answer.kind === "answered" ? answer.answeredBy : null, loaded: instances?.map((i) => i.id) ?? null };
    const all = [...evidence, sent.exchange.evidence];
    switch (answer.kind) {
      case "refused":
        return { status: "passed", reason: `a chat for a model the host does not have was refused (${answer.refusal}, HTTP ${answer.status})`, observed, evidence: all };
      case "answered":
        return { status: "failed", reason: `asked for ${ABSENT_MODEL}, answered by ${answer.answeredBy} (HTTP ${sent.exchange.status}): a router would take ${answer.answeredBy}'s answer for the model it asked for`, observed, evidence: all };
      case "broken":
        return { status: "inconclusive", reason: `cannot tell: ${answer.why}`, observed, evidence: all, remedy: REMEDY.inferenceBroken };
    }
  },
});

export const inferenceChecks = [loadedModelAnswers, noSubstitution];
