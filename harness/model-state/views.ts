/** @module Turns each surface's payload into one shape: available keys, loaded keys, loaded instances. */
import type { RestV0ModelList } from "../../contracts/lmstudio/rest-v0-models.ts";
import type { RestV1ModelList } from "../../contracts/lmstudio/rest-v1-models.ts";
import type { SnapshotInstance } from "../../contracts/journal.ts";
import { modelKeyFor, sortedUnique } from "./ids.ts";

export type StateSource = "rest-v1" | "rest-v0" | "sdk" | "openai";

export interface ModelInstance {
  /** What a client passes as `model` to reach this instance, e.g. `qwen2.5-7b-instruct:2`. */
  readonly id: string;
  /** The downloaded model it is an instance of. */
  readonly model: string;
}

export interface ModelStateView {
  readonly source: StateSource;
  /** Downloaded model keys, or null when this source cannot state them. */
  readonly available: readonly string[] | null;
  /** Model keys with at least one loaded instance, or null when this source cannot state them. */
  readonly loaded: readonly string[] | null;
  readonly instances: readonly ModelInstance[] | null;
  /** Why a field is null, in words a user can act on. */
  readonly notes: readonly string[];
}

/** /api/v1/models lists every downloaded model; `loaded_instances` is authoritative for what is in memory. */
export function viewFromRestV1(list: RestV1ModelList): ModelStateView {
  const instances = list.models.flatMap((m) => m.loaded_instances.map((i) => ({ id: i.id, model: m.key })));
  return {
    source: "rest-v1",
    available: sortedUnique(list.models.map((m) => m.key)),
    loaded: sortedUnique(instances.map((i) => i.model)),
    instances,
    notes: [],
  };
}

/**
 * /api/v0/models has `state`, but follows JIT (bug-tracker#726, #816): with JIT off it lists only loaded models.
 * It proves "available" only when it lists at least one model that is not loaded.
 */
export function viewFromRestV0(list: RestV0ModelList): ModelStateView {
  const loadedItems = list.data.filter((m) => m.state === "loaded");
  const instances = loadedItems.map((m) => ({ id: m.id, model: modelKeyFor(m.id) }));
  const listsUnloaded = list.data.some((m) => m.state !== "loaded");
  return {
    source: "rest-v0",
    available: listsUnloaded ? sortedUnique(list.data.map((m) => modelKeyFor(m.id))) : null,
    loaded: sortedUnique(instances.map((i) => i.model)),
    instances,
    notes: listsUnloaded
      ? []
      : ["/api/v0/models lists only loaded models here (it follows JIT), so it cannot say what else is downloaded"],
  };
}

export function instanceMap(view: ModelStateView | null): Map<string, string> {
  return new Map((view?.instances ?? []).map((i) => [i.id, i.model]));
}

/** The SDK's system.listDownloadedModels and listLoaded: complete on every version that serves the websocket. */
export function viewFromSdk(downloaded: readonly { key: string }[], loaded: readonly SnapshotInstance[]): ModelStateView {
  const instances = loaded.map((i) => ({ id: i.id, model: i.model }));
  return {
    source: "sdk",
    available: sortedUnique(downloaded.map((m) => m.key)),
    loaded: sortedUnique(instances.map((i) => i.model)),
    instances,
    notes: [],
  };
}
