/** @module The sdk driver (LM Studio 0.3.x, which has no REST load/unload): @lmstudio/sdk over the websocket. */
import type { SnapshotInstance } from "../../contracts/journal.ts";
import { SdkClient, SdkError } from "../sdk/sdk-client.ts";
import { DriverError, type LoadResult, type ModelDriver } from "./driver.ts";

export class SdkDriver implements ModelDriver {
  readonly name = "sdk" as const;
  readonly #client: SdkClient;
  readonly #loadTimeoutMs: number;

  constructor(httpBaseUrl: string, callTimeoutMs: number, loadTimeoutMs: number, token?: string) {
    this.#client = new SdkClient(httpBaseUrl, callTimeoutMs, token);
    this.#loadTimeoutMs = loadTimeoutMs;
  }

  async load(model: string, options: { contextLength?: number | null; identifier?: string }): Promise<LoadResult> {
    const type = (await this.#client.downloaded()).find((m) => m.key === model)?.type ?? "llm";
    try {
      const instanceId = await this.#client.load(model, type, { ...options, timeoutMs: this.#loadTimeoutMs });
      return { instanceId, loadTimeSeconds: null };
    } catch (error) {
      throw refusedOrBroken(error);
    }
  }

  async unload(instanceId: string): Promise<void> {
    const loaded = await this.#client.loaded();
    const model = loaded.find((i) => i.id === instanceId)?.model;
    const type = (await this.#client.downloaded()).find((m) => m.key === model)?.type ?? "llm";
    try {
      await this.#client.unload(instanceId, type);
    } catch (error) {
      throw refusedOrBroken(error);
    }
  }

  listLoaded(): Promise<SnapshotInstance[]> {
    return this.#client.loaded();
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}

/** The host answering "no" is a DriverError (the host's failure); a hang stays an SdkError (could not ask). */
function refusedOrBroken(error: unknown): Error {
  if (error instanceof SdkError && !/no valid answer within|already failed/.test(error.message)) {
    return new DriverError(error.message, null, error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
