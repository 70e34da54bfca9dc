/**
 * @module The listing tie-breaker (DESIGN.md): when loaded = available, change the loaded set by one model,
 * see whether /v1/models follows, then put the host back. Only with --allow-mutations.
 */
import type { Evidence } from "../contracts/certificate.ts";
import { classifyListing, type ListingClassification } from "../harness/listing-classifier.ts";
import { sortedUnique } from "../harness/model-state/ids.ts";
import { readLiveState } from "../harness/model-state/live-state.ts";
import type { ModelStateView } from "../harness/model-state/views.ts";
import { pollUntil } from "../harness/lifecycle/poll.ts";
import { MutationSession } from "../harness/lifecycle/session.ts";
import { describeError } from "../harness/errors.ts";
import type { CheckContext } from "../harness/types.ts";
import { lifecycleModel } from "./lifecycle-support.ts";
import { openSession } from "./session-outcomes.ts";

export type TieBreak =
  | { readonly decided: true; readonly classification: ListingClassification; readonly action: string; readonly evidence: readonly Evidence[] }
  | { readonly decided: false; readonly reason: string };

export async function breakTie(ctx: CheckContext): Promise<TieBreak> {
  const session = await openSession(ctx);
  if (!(session instanceof MutationSession)) return { decided: false, reason: session.reason };
  const discovery = await ctx.discovery();
  try {
    const loaded = await session.driver.listLoaded();
    const victim = loaded[0];
    let changed: string;
    let action: string;
    if (victim) {
      await session.unload(victim.id);
      changed = victim.model;
      action = `unloaded ${victim.id}`;
    } else {
      const model = lifecycleModel(ctx, discovery);
      if (!model) return { decided: false, reason: "nothing is loaded and no model is known that could be loaded" };
      await session.load(model);
      changed = model;
      action = `loaded ${model}`;
    }
    const wantLoaded = !victim;
    const poll = await pollUntil(
      () => readLiveState(ctx.http, discovery),
      (live) => ((live.v1 ?? live.v0)?.loaded?.includes(changed) ?? false) === wantLoaded,
      { timeoutMs: ctx.standard.lifecycle.loadTimeoutSeconds * 1000, signal: ctx.signal },
    );
    const live = poll.last;
    const view = live?.v1 ?? live?.v0 ?? null;
    if (!poll.ok || !live?.listed || !view) return { decided: false, reason: `after ${action}, the state surfaces did not show the change` };
    // The model just changed is downloaded for certain, even where no surface lists unloaded models (0.3.x, JIT off).
    const known: ModelStateView = { ...view, available: view.available ?? sortedUnique([...(view.loaded ?? []), changed]) };
    return { decided: true, classification: classifyListing(live.listed, known), action, evidence: live.evidence };
  } catch (error) {
    return { decided: false, reason: `the tie-breaker could not change the loaded set: ${describeError(error)}` };
  } finally {
    await session.restore();
  }
}
