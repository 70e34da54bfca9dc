/** @module Listing classification (DESIGN.md): what `/v1/models` means on this host, decided from sets, never counts. */
import { difference, modelKeyFor, sameSet, sortedUnique } from "./model-state/ids.ts";
import { instanceMap, type ModelStateView } from "./model-state/views.ts";

export type ListingBehaviour = "loaded-only" | "all-available" | "indeterminate" | "inconsistent" | "unknown";

export interface ListingClassification {
  readonly behaviour: ListingBehaviour;
  /** One sentence saying why, with the sets that decided it. */
  readonly explanation: string;
  /** V: model keys listed by /v1/models (after the id rules). */
  readonly listed: readonly string[];
  /** A: downloaded model keys, null when no surface states them. */
  readonly available: readonly string[] | null;
  /** L: loaded model keys. */
  readonly loaded: readonly string[] | null;
  readonly differences: Readonly<Record<string, readonly string[]>>;
}

/**
 * V = L and V ≠ A → loaded-only; V = A and V ≠ L → all-available; L = A (or A unknown and V = L) → indeterminate;
 * otherwise inconsistent; no authoritative state → unknown.
 */
export function classifyListing(listedIds: readonly string[], state: ModelStateView | null): ListingClassification {
  const map = instanceMap(state);
  const V = sortedUnique(listedIds.map((id) => modelKeyFor(id, map)));
  if (!state || state.loaded === null) {
    return result("unknown", "no surface states which models are loaded", V, null, null);
  }
  const L = state.loaded;
  const A = state.available;
  if (A === null) {
    return sameSet(V, L)
      ? result("indeterminate", "/v1/models equals the loaded set, but nothing states what else is downloaded", V, A, L)
      : result("inconsistent", "/v1/models matches neither the loaded set nor any known available set", V, A, L);
  }
  const vIsL = sameSet(V, L);
  const vIsA = sameSet(V, A);
  if (sameSet(L, A)) {
    return vIsL
      ? result("indeterminate", "every downloaded model is loaded, so both readings of /v1/models agree", V, A, L)
      : result("inconsistent", "/v1/models differs from the loaded set, which equals the available set", V, A, L);
  }
  if (vIsL) return result("loaded-only", "/v1/models lists exactly the loaded models and omits unloaded ones", V, A, L);
  if (vIsA) return result("all-available", "/v1/models lists every downloaded model, loaded or not", V, A, L);
  return result("inconsistent", "/v1/models matches neither the loaded set nor the available set", V, A, L);
}

function result(
  behaviour: ListingBehaviour,
  explanation: string,
  listed: readonly string[],
  available: readonly string[] | null,
  loaded: readonly string[] | null,
): ListingClassification {
  const differences: Record<string, readonly string[]> = {};
  if (loaded) {
    differences["listedNotLoaded"] = difference(listed, loaded);
    differences["loadedNotListed"] = difference(loaded, listed);
  }
  if (available) {
    differences["listedNotAvailable"] = difference(listed, available);
    differences["availableNotListed"] = difference(available, listed);
  }
  return { behaviour, explanation, listed, available, loaded, differences };
}
