/** @module contract: the cluster router's Pact contract, verified against this host in real provider states. */
import { resolve } from "node:path";
import { PACT_PROVIDER, PACT_STATES, PACT_VALUES } from "../contracts/pact-states.ts";
import { describeError } from "../harness/errors.ts";
import { catalogueFrom, chooseLifecycleModel } from "../harness/model-state/catalogue.ts";
import { MutationSession } from "../harness/lifecycle/session.ts";
import { runPactVerifier } from "../harness/pact/run-verifier.ts";
import { startStateChangeServer, type StateHandler } from "../harness/pact/state-change-server.ts";
import { defineCheck, type CheckContext, type Outcome } from "../harness/types.ts";
import { openSession } from "./session-outcomes.ts";

/**
 * The model the provider states use. The pact's `model` parameter is the consumer's example
 * (qwen2.5-0.5b-instruct), which a given host may not have; the verifier injects this one instead
 * (`fromProviderState`). Same rule as the lifecycle checks: --lifecycle-model / the standard's lifecycle.model,
 * else the smallest downloaded LLM that is not loaded; on a host where every LLM is loaded, the smallest loaded
 * one (the states unload and reload it, and the session puts it back).
 */
async function pactModel(ctx: CheckContext): Promise<string | null> {
  const catalogue = catalogueFrom(await ctx.discovery());
  const chosen = chooseLifecycleModel(catalogue, ctx.lifecycleModel);
  if (chosen) return chosen;
  const llms = (catalogue ?? []).filter((m) => m.type === "llm");
  llms.sort((a, b) => (a.sizeBytes ?? Number.MAX_SAFE_INTEGER) - (b.sizeBytes ?? Number.MAX_SAFE_INTEGER));
  return llms[0]?.key ?? null;
}

/**
 * Puts the host into each provider state with the lifecycle driver, and answers the values to inject. A state it
 * could not set up is noted in `problems` (the verifier only says "a state change handler has failed").
 */
function stateHandler(session: MutationSession, model: string, problems: string[]): StateHandler {
  const loaded = () => session.driver.listLoaded();
  const unloadWhere = async (drop: (model: string) => boolean) => {
    for (const instance of (await loaded()).filter((i) => drop(i.model))) await session.unload(instance.id);
  };
  /** The instance id of `model`, loading it first when it has none. */
  const ensureLoaded = async (): Promise<string> => {
    const existing = (await loaded()).find((i) => i.model === model);
    return existing ? existing.id : (await session.load(model)).instanceId;
  };
  const setUp = async (state: string): Promise<Record<string, string>> => {
    switch (state) {
      case PACT_STATES.modelLoaded:
        return { [PACT_VALUES.model]: model, [PACT_VALUES.instanceId]: await ensureLoaded() };
      case PACT_STATES.modelNotLoaded:
        await unloadWhere((m) => m === model);
        return { [PACT_VALUES.model]: model };
      case PACT_STATES.noModelLoaded:
        await unloadWhere(() => true);
        return {};
      case PACT_STATES.onlyModelLoaded:
        await unloadWhere((m) => m !== model);
        return { [PACT_VALUES.model]: model, [PACT_VALUES.instanceId]: await ensureLoaded() };
      default:
        throw new Error(`unknown provider state "${state}" (lmcert knows: ${Object.values(PACT_STATES).join(", ")})`);
    }
  };
  return async ({ state }) => {
    try {
      return await setUp(state);
    } catch (error) {
      problems.push(`"${state}": ${describeError(error)}`);
      throw error;
    }
  };
}

interface PactFailure {
  readonly interaction?: string;
  readonly mismatch?: { readonly mismatches?: readonly { readonly path?: string; readonly mismatch?: string }[]; readonly message?: string };
}

/** The verifier's JSON result lists each failed interaction; one line per failure, its first mismatches. */
export function describeFailures(detail: string): string[] {
  try {
    const parsed = JSON.parse(detail) as { errors?: PactFailure[] };
    return (parsed.errors ?? []).map((e) => {
      const mismatches = (e.mismatch?.mismatches ?? []).slice(0, 3).map((m) => `${m.path ?? ""} ${m.mismatch ?? ""}`.trim());
      const details = mismatches.length > 0 ? mismatches.join("; ") : (e.mismatch?.message ?? "");
      return `${(e.interaction ?? "an interaction").replace(/^Verifying a pact between \S+ and \S+ /, "")}: ${details}`;
    });
  } catch {
    return [detail.split("\n")[0] ?? detail];
  }
}

/** The verifier's words for an interaction whose provider state could not be set up. */
const STATE_SETUP_FAILED = /state change handlers? has failed|state change request/i;

async function verify(ctx: CheckContext, pactFile: string, session: MutationSession, model: string): Promise<Outcome> {
  const setupProblems: string[] = [];
  const states = await startStateChangeServer(stateHandler(session, model, setupProblems));
  try {
    const result = await runPactVerifier({
      providerBaseUrl: ctx.host.url,
      pactFile: resolve(pactFile),
      providerName: PACT_PROVIDER,
      stateChangeUrl: states.url,
      token: ctx.http.bearerToken,
      requestTimeoutMs: 30_000,
      signal: ctx.signal,
      // Pact's own per-interaction report, as it goes: `lmcert pact verify` prints it; the outcome sums it up.
      onOutput: ctx.toolOutput,
    });
    const observed = { model };
    if (result.passed) {
      return { status: "passed", reason: `every interaction in ${pactFile} verified in its provider state (model ${model})`, observed };
    }
    const failures = describeFailures(result.detail);
    const setup = [...new Set(setupProblems)];
    const genuine = failures.filter((f) => !STATE_SETUP_FAILED.test(f));
    if (setup.length > 0 && genuine.length === 0) {
      // Nothing the host answered broke the contract: lmcert could not get it into the states to ask.
      return {
        status: "inconclusive",
        reason: `could not put the host into ${setup.length} provider state(s) with model ${model}, so the contract was not checked:\n${setup.join("\n")}`,
        observed: { ...observed, failures, setupProblems: setup },
        remedy: "Name a model this host has downloaded with --lifecycle-model (see `lms ls`), and check that `lms load <model>` works on it.",
      };
    }
    const lines = [...genuine, ...setup.map((p) => `provider state ${p}`)];
    return { status: "failed", reason: `${genuine.length} interaction(s) failed (model ${model}):\n${lines.join("\n")}`, observed: { ...observed, failures, setupProblems: setup } };
  } finally {
    await states.close();
  }
}

export const contractChecks = [
  defineCheck({
    id: "contract.pact-verified",
    title: "The cluster router's Pact contract holds",
    must: "Every interaction of the router's consumer contract MUST verify against the host, each in its provider state (model loaded, not loaded, only one loaded).",
    concern: "contract",
    required: false,
    mutates: true,
    needs: ["health.greeting"],
    remedy:
      "Read the failed interaction: a loaded-only interaction failing means /v1/models lists more than the loaded models (turn off \"Just-in-Time Model Loading\"); a shape mismatch means LM Studio changed a payload the router relies on.",
    async run(ctx) {
      if (!ctx.pactFile) return { status: "skipped", reason: "runs with `lmcert pact verify` (no pact file for this run)" };
      const model = await pactModel(ctx);
      const catalogue = catalogueFrom(await ctx.discovery());
      if (model && catalogue && !catalogue.some((m) => m.key === model)) {
        return {
          status: "inconclusive",
          reason: `the host has no model "${model}" downloaded to put into the provider states (it has: ${catalogue.map((m) => m.key).join(", ") || "none"})`,
          remedy: "Name a model this host has downloaded with --lifecycle-model (see `lms ls`), or download it with `lms get`.",
        };
      }
      if (!model) {
        return {
          status: "inconclusive",
          reason: "no model to put into the provider states: the host lists no downloaded LLM, and none is configured",
          remedy: "Download a small LLM (`lms get qwen2.5-0.5b-instruct`), or name one with --lifecycle-model.",
        };
      }
      const session = await openSession(ctx);
      if (!(session instanceof MutationSession)) return session;
      try {
        return await verify(ctx, ctx.pactFile, session, model);
      } finally {
        await session.restore();
      }
    },
  }),
];
