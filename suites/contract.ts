/** @module contract: the cluster router's Pact contract, verified against this host in real provider states. */
import { resolve } from "node:path";
import { PACT_PROVIDER, PACT_STATES } from "../contracts/pact-states.ts";
import { describeError } from "../harness/errors.ts";
import { MutationSession } from "../harness/lifecycle/session.ts";
import { defineCheck, type CheckContext } from "../harness/types.ts";
import { openSession } from "./session-outcomes.ts";
import { loadOnDemand } from "../harness/load-on-demand.ts";

/** Puts the host into each provider state with the lifecycle driver; the session restores it afterwards. */
function stateHandlers(session: MutationSession) {
  const loaded = () => session.driver.listLoaded();
  const unloadWhere = async (drop: (model: string) => boolean) => {
    for (const instance of (await loaded()).filter((i) => drop(i.model))) await session.unload(instance.id);
  };
  const ensureLoaded = async (model: string) => {
    if (!(await loaded()).some((i) => i.model === model)) await session.load(model);
  };
  const model = (params: unknown) => String((params as { model?: unknown } | undefined)?.model ?? "");
  return {
    [PACT_STATES.modelLoaded]: async (params?: unknown) => {
      await ensureLoaded(model(params));
      return undefined;
    },
    [PACT_STATES.modelNotLoaded]: async (params?: unknown) => {
      await unloadWhere((m) => m === model(params));
      return undefined;
    },
    [PACT_STATES.noModelLoaded]: async () => {
      await unloadWhere(() => true);
      return undefined;
    },
    [PACT_STATES.onlyModelLoaded]: async (params?: unknown) => {
      await unloadWhere((m) => m !== model(params));
      await ensureLoaded(model(params));
      return undefined;
    },
  };
}

interface PactFailure {
  readonly interaction?: string;
  readonly mismatch?: { readonly mismatches?: readonly { readonly path?: string; readonly mismatch?: string }[] };
}

/** The verifier rejects with JSON listing each failed interaction; turn it into one line per mismatch. */
function describeFailures(error: unknown): string[] {
  const text = describeError(error);
  try {
    const parsed = JSON.parse(text) as { errors?: PactFailure[] };
    return (parsed.errors ?? []).map((e) => {
      const details = (e.mismatch?.mismatches ?? []).slice(0, 3).map((m) => `${m.path ?? ""} ${m.mismatch ?? ""}`.trim());
      return `${(e.interaction ?? "an interaction").replace(/^Verifying a pact between \S+ and \S+ /, "")}: ${details.join("; ")}`;
    });
  } catch {
    return [text.split("\n")[0] ?? text];
  }
}

async function verify(ctx: CheckContext, pactFile: string, session: MutationSession) {
  // Loaded on demand: the Pact runtime (a native library) costs startup time every other command would pay.
  const { Verifier } = loadOnDemand<typeof import("@pact-foundation/pact")>("@pact-foundation/pact");
  const verifier = new Verifier({
    provider: PACT_PROVIDER,
    providerBaseUrl: ctx.host.url,
    pactUrls: [resolve(pactFile)],
    stateHandlers: stateHandlers(session),
    logLevel: "error",
  });
  try {
    await verifier.verifyProvider();
    return { status: "passed" as const, reason: `every interaction in ${pactFile} verified in its provider state` };
  } catch (error) {
    const failures = describeFailures(error);
    return { status: "failed" as const, reason: `${failures.length} interaction(s) failed:\n${failures.join("\n")}`, observed: { failures } };
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
      const session = await openSession(ctx);
      if (!(session instanceof MutationSession)) return session;
      try {
        return await verify(ctx, ctx.pactFile, session);
      } finally {
        await session.restore();
      }
    },
  }),
];
