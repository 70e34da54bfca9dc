/** @module readModelState: the client fix. Loaded vs available from LM Studio's own state, never from guesses. */
import type { ListingSemantics } from "../../contracts/standard.ts";
import { OpenAiModelList } from "../../contracts/lmstudio/openai-models.ts";
import { LmcertError } from "../errors.ts";
import { HttpClient } from "../http/client.ts";
import { EARLY_04_AUTH_QUIRK, SURFACE_PATHS, readSurface } from "../surfaces.ts";
import { readSdkSurface } from "../sdk/sdk-reading.ts";
import { authoritativeView, stateFromReading } from "./authoritative.ts";
import { modelKeyFor, sortedUnique } from "./ids.ts";
import type { ModelInstance, ModelStateView, StateSource } from "./views.ts";

export interface ReadModelStateOptions {
  /**
   * The host's declared listing standard. Only then may `/v1/models` be used, as a last resort, because its meaning
   * depends on the JIT setting and cannot be read from the response.
   */
  readonly standard?: ListingSemantics | { readonly listing: ListingSemantics };
  /** API token for hosts with "Require Authentication" on (LM Studio 0.4+). */
  readonly token?: string;
  readonly signal?: AbortSignal;
  /** Per request; defaults to 5 s. */
  readonly timeoutMs?: number;
}

export interface ModelState {
  /** Downloaded model keys, or null when the host cannot state them (never guessed). */
  readonly available: readonly string[] | null;
  /** Model keys with at least one loaded instance, or null when unknown. */
  readonly loaded: readonly string[] | null;
  /** Loaded instances: the ids to pass as `model`, e.g. `qwen2.5-7b-instruct:2`. */
  readonly instances: readonly ModelInstance[] | null;
  /** Which surface answered: rest-v1 (0.4+), rest-v0 (0.3.6+; completed by the SDK where it can), sdk, or openai (only with a declared standard). */
  readonly source: StateSource;
  readonly notes: readonly string[];
}

/** Thrown when no surface can state the model state and no standard was declared, or the host refused us. */
export class ModelStateUnavailableError extends LmcertError {
  readonly attempts: readonly string[];
  constructor(baseUrl: string, attempts: readonly string[]) {
    super("LMCERT_MODEL_STATE_UNAVAILABLE", `Cannot read model state from ${baseUrl}:\n- ${attempts.join("\n- ")}`);
    this.attempts = attempts;
  }
}

/**
 * Reads which models are loaded and which are available on an LM Studio host.
 * @example
 * // before: server.loadedModels = new Set(data.data?.map((m) => m.id));   // wrong on JIT hosts
 * server.loadedModels = new Set((await readModelState(server.url, { token })).loaded);
 */
export async function readModelState(baseUrl: string, options: ReadModelStateOptions = {}): Promise<ModelState> {
  const http = new HttpClient({ token: options.token, signal: options.signal, timeoutMs: options.timeoutMs ?? 5_000 });
  const attempts: string[] = [];
  try {
    let v0: ModelStateView | null = null;
    let unknownEndpoints = 0;
    for (const surface of ["rest-v1", "rest-v0"] as const) {
      const reading = await readSurface(http, baseUrl, SURFACE_PATHS[surface]);
      if (reading.unknownEndpoint) unknownEndpoints++;
      if (reading.state === "unauthorized" || reading.state === "error") {
        throw new ModelStateUnavailableError(baseUrl, [...attempts, reading.reason]);
      }
      const { view, reason } = stateFromReading(surface, reading);
      if (view && surface === "rest-v1") return toModelState(view);
      if (view) v0 = view;
      else attempts.push(reason);
    }
    // Neither REST surface "exists": a 0.3.5 host, or early 0.4 refusing a missing token that way (issue 11.3).
    // /v1/models exists on every LM Studio, so the same answer there means the token is missing or wrong.
    if (unknownEndpoints === 2) {
      const openai = await readSurface(http, baseUrl, SURFACE_PATHS.openai);
      if (openai.unknownEndpoint) {
        throw new ModelStateUnavailableError(baseUrl, [...attempts, `${openai.reason.replace(/: this server does not have the route$/, "")}. ${EARLY_04_AUTH_QUIRK}; pass \`token\``]);
      }
    }
    // 0.3.x: the SDK websocket knows what is downloaded even where /api/v0 (JIT off) lists only loaded models.
    if (!v0 || v0.available === null) {
      const sdk = await readSdkSurface(baseUrl, options.timeoutMs ?? 5_000, options.token);
      const view = authoritativeView({
        "rest-v1": { view: null, reason: "", evidence: null },
        "rest-v0": { view: v0, reason: "", evidence: null },
        sdk: { view: sdk.view, reason: sdk.reason, evidence: sdk.evidence },
      });
      if (view) return toModelState(view);
      attempts.push(sdk.reason);
    } else {
      return toModelState(v0);
    }
    const listing = typeof options.standard === "string" ? options.standard : options.standard?.listing;
    if (!listing) {
      attempts.push("GET /v1/models alone cannot say what is loaded (it depends on JIT); declare `standard` to use it");
      throw new ModelStateUnavailableError(baseUrl, attempts);
    }
    return toModelState(await fromOpenAiListing(http, baseUrl, listing, attempts));
  } finally {
    await http.close();
  }
}

async function fromOpenAiListing(
  http: HttpClient,
  baseUrl: string,
  listing: ListingSemantics,
  attempts: string[],
): Promise<ModelStateView> {
  const reading = await readSurface(http, baseUrl, SURFACE_PATHS.openai);
  const parsed = reading.state === "present" ? OpenAiModelList.safeParse(reading.json) : null;
  if (!parsed?.success) throw new ModelStateUnavailableError(baseUrl, [...attempts, reading.reason]);
  const ids = parsed.data.data.map((m) => m.id);
  const keys = sortedUnique(ids.map((id) => modelKeyFor(id)));
  if (listing === "loaded-only") {
    return {
      source: "openai",
      available: null,
      loaded: keys,
      instances: ids.map((id) => ({ id, model: modelKeyFor(id) })),
      notes: ["declared loaded-only: /v1/models lists loaded instances; what else is downloaded is unknown"],
    };
  }
  return {
    source: "openai",
    available: keys,
    loaded: null,
    instances: null,
    notes: ["declared all-available: /v1/models lists downloaded models; what is loaded is unknown"],
  };
}

function toModelState(view: ModelStateView): ModelState {
  return { available: view.available, loaded: view.loaded, instances: view.instances, source: view.source, notes: view.notes };
}
