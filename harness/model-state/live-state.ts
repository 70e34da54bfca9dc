/** @module A fresh read of every state surface (not the memoised discovery), for checks that watch state change. */
import type { Evidence } from "../../contracts/certificate.ts";
import { OpenAiModelList } from "../../contracts/lmstudio/openai-models.ts";
import type { Discovery } from "../discovery.ts";
import type { HttpClient } from "../http/client.ts";
import { SURFACE_PATHS, readSurface } from "../surfaces.ts";
import { stateFromReading } from "./authoritative.ts";
import type { ModelStateView } from "./views.ts";

export interface LiveState {
  readonly v1: ModelStateView | null;
  readonly v0: ModelStateView | null;
  /** Raw ids from /v1/models, or null when it could not be read. */
  readonly listed: readonly string[] | null;
  readonly evidence: readonly Evidence[];
}

/** Reads the surfaces discovery found present, in parallel. */
export async function readLiveState(http: HttpClient, discovery: Discovery): Promise<LiveState> {
  const want = (s: "rest-v1" | "rest-v0") => discovery.surfaces[s].state === "present";
  const [openai, v1, v0] = await Promise.all([
    readSurface(http, discovery.baseUrl, SURFACE_PATHS.openai),
    want("rest-v1") ? readSurface(http, discovery.baseUrl, SURFACE_PATHS["rest-v1"]) : null,
    want("rest-v0") ? readSurface(http, discovery.baseUrl, SURFACE_PATHS["rest-v0"]) : null,
  ]);
  const parsed = openai.state === "present" ? OpenAiModelList.safeParse(openai.json) : null;
  return {
    v1: v1 ? stateFromReading("rest-v1", v1).view : null,
    v0: v0 ? stateFromReading("rest-v0", v0).view : null,
    listed: parsed?.success ? parsed.data.data.map((m) => m.id) : null,
    evidence: [openai, v1, v0].flatMap((r) => (r ? [r.evidence] : [])),
  };
}
