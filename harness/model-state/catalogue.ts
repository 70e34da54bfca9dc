/** @module What a host has downloaded, with type and size where a surface states them. */
import { RestV0ModelList } from "../../contracts/lmstudio/rest-v0-models.ts";
import { RestV1ModelList } from "../../contracts/lmstudio/rest-v1-models.ts";
import type { Discovery } from "../discovery.ts";

export interface CatalogueEntry {
  readonly key: string;
  /** "llm" covers v0's "llm" and "vlm"; everything else is "embedding". */
  readonly type: "llm" | "embedding";
  readonly sizeBytes: number | null;
  readonly loaded: boolean;
}

/** From rest-v1 (complete, with sizes), else the SDK (same), else rest-v0 when it lists unloaded models too. */
export function catalogueFrom(discovery: Discovery): CatalogueEntry[] | null {
  const v1 = discovery.surfaces["rest-v1"];
  const parsedV1 = v1.state === "present" ? RestV1ModelList.safeParse(v1.json) : null;
  if (parsedV1?.success) {
    return parsedV1.data.models.map((m) => ({
      key: m.key,
      type: m.type === "embedding" ? "embedding" : "llm",
      sizeBytes: m.size_bytes,
      loaded: m.loaded_instances.length > 0,
    }));
  }
  const sdk = discovery.sdk;
  if (sdk?.state === "present" && sdk.catalogue && sdk.view) {
    const loaded = new Set(sdk.view.loaded ?? []);
    return sdk.catalogue.map((m) => ({ key: m.key, type: m.type, sizeBytes: m.sizeBytes, loaded: loaded.has(m.key) }));
  }
  const v0 = discovery.surfaces["rest-v0"];
  const parsedV0 = v0.state === "present" ? RestV0ModelList.safeParse(v0.json) : null;
  if (parsedV0?.success && parsedV0.data.data.some((m) => m.state !== "loaded")) {
    return parsedV0.data.data.map((m) => ({
      key: m.id,
      type: m.type === "embeddings" ? "embedding" : "llm",
      sizeBytes: null,
      loaded: m.state === "loaded",
    }));
  }
  return null;
}

/** The configured lifecycle model, else the smallest downloaded LLM that is not loaded (cheapest to load). */
export function chooseLifecycleModel(catalogue: readonly CatalogueEntry[] | null, configured: string | null): string | null {
  if (configured) return configured;
  const candidates = (catalogue ?? []).filter((m) => m.type === "llm" && !m.loaded);
  candidates.sort((a, b) => (a.sizeBytes ?? Number.MAX_SAFE_INTEGER) - (b.sizeBytes ?? Number.MAX_SAFE_INTEGER));
  return candidates[0]?.key ?? null;
}
