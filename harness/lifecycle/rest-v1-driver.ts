/** @module The rest-v1 driver (LM Studio 0.4+): POST /api/v1/models/load and /unload, shapes as in the docs. */
import type { SnapshotInstance } from "../../contracts/journal.ts";
import { RestV1LoadResponse, RestV1ModelList } from "../../contracts/lmstudio/rest-v1-models.ts";
import { parseJsonBody, type HttpClient } from "../http/client.ts";
import { serverText } from "../server-text.ts";
import { joinUrl } from "../surfaces.ts";
import { DriverError, type LoadResult, type ModelDriver } from "./driver.ts";

export class RestV1Driver implements ModelDriver {
  readonly name = "rest-v1" as const;
  readonly #http: HttpClient;
  readonly #baseUrl: string;
  readonly #loadTimeoutMs: number;

  constructor(http: HttpClient, baseUrl: string, loadTimeoutMs: number) {
    this.#http = http;
    this.#baseUrl = baseUrl;
    this.#loadTimeoutMs = loadTimeoutMs;
  }

  async load(model: string, options: { contextLength?: number | null }): Promise<LoadResult> {
    const json = await this.#post("api/v1/models/load", { model, ...(options.contextLength ? { context_length: options.contextLength } : {}) }, this.#loadTimeoutMs);
    const parsed = RestV1LoadResponse.safeParse(json);
    if (!parsed.success) throw new DriverError(`load of ${model}: unexpected response ${serverText(JSON.stringify(json), 200)}`, 200, null);
    return { instanceId: parsed.data.instance_id, loadTimeSeconds: parsed.data.load_time_seconds };
  }

  async unload(instanceId: string): Promise<void> {
    await this.#post("api/v1/models/unload", { instance_id: instanceId });
  }

  async listLoaded(): Promise<SnapshotInstance[]> {
    const { json } = await this.#http.getJson(joinUrl(this.#baseUrl, "api/v1/models"));
    const list = RestV1ModelList.parse(json);
    return list.models.flatMap((m) =>
      m.loaded_instances.map((i) => ({ id: i.id, model: m.key, contextLength: i.config.context_length ?? null })),
    );
  }

  async close(): Promise<void> {
    // The HttpClient belongs to the run; nothing of our own to close.
  }

  async #post(path: string, body: unknown, timeoutMs?: number): Promise<unknown> {
    const exchange = await this.#http.send("POST", joinUrl(this.#baseUrl, path), { json: body, ...(timeoutMs ? { timeoutMs } : {}) });
    if (exchange.status < 200 || exchange.status > 299) {
      throw new DriverError(`POST /${path} answered HTTP ${exchange.status}: ${serverText(exchange.bodyText, 300)}`, exchange.status, serverText(exchange.bodyText));
    }
    return parseJsonBody(exchange);
  }
}
