/**
 * @module A thin, deadline-bound wrapper over @lmstudio/sdk. The SDK waits forever on a reply it cannot parse, so
 * every call here races a deadline; after a timeout the client is disposed and every later call fails fast.
 */
import type { LMStudioClient } from "@lmstudio/sdk";
import { randomBytes } from "node:crypto";
import type { SnapshotInstance } from "../../contracts/journal.ts";
import { splitApiToken, type SdkCredentials } from "../../contracts/lmstudio/api-token.ts";
import { LmcertError } from "../errors.ts";
import { serverText } from "../server-text.ts";
import { loadOnDemand } from "../load-on-demand.ts";

export interface SdkModel {
  readonly key: string;
  readonly type: "llm" | "embedding";
  readonly sizeBytes: number;
}

export class SdkError extends LmcertError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("LMCERT_SDK", message, options);
  }
}

/** The SDK logs through this; lmcert reports through outcomes instead, so it stays quiet. */
const SILENT = { info() {}, warn() {}, error() {}, debug() {} };

/** `http://host:1234` → `ws://host:1234`: LM Studio serves the SDK websocket on the HTTP port. */
export function sdkBaseUrl(httpBaseUrl: string): string {
  const url = new URL(httpBaseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.origin.replace(/^http/, "ws");
}

/**
 * What the SDK presents in its first websocket message. Always explicit: given no credentials, newer SDKs read
 * LM_API_TOKEN from the environment by themselves (lmstudio-js LMStudioClient.ts), and a stray variable in lmcert's
 * environment must not change what is tested. Explicit credentials take precedence over it. No token means a guest,
 * `guest:<random>` with a random passkey, exactly what the SDK makes up itself.
 */
export function sdkCredentials(token: string | undefined): SdkCredentials | { readonly error: string } {
  if (token === undefined || token === "") {
    return { clientIdentifier: `guest:${randomBytes(18).toString("base64")}`, clientPasskey: randomBytes(18).toString("base64") };
  }
  return (
    splitApiToken(token) ?? {
      error: "the token does not look like an LM Studio API token (sk-lm-<8 letters or digits>:<20 letters or digits>), so the SDK websocket cannot present it",
    }
  );
}

export class SdkClient {
  readonly url: string;
  /** Loaded on demand: the SDK is large and only 0.3.x hosts need it. */
  readonly #client: Promise<LMStudioClient>;
  readonly #timeoutMs: number;
  #broken: string | null = null;

  /** `token`: the --token-env token, handed to the SDK split the way it expects; never logged. */
  constructor(httpBaseUrl: string, timeoutMs: number, token?: string) {
    this.url = sdkBaseUrl(httpBaseUrl);
    this.#timeoutMs = timeoutMs;
    const credentials = sdkCredentials(token);
    // Always an explicit baseUrl: without it the SDK goes looking for a local LM Studio on other ports.
    this.#client = Promise.resolve()
      .then(() => {
        if ("error" in credentials) throw new SdkError(`SDK: ${credentials.error}`);
        return loadOnDemand<typeof import("@lmstudio/sdk")>("@lmstudio/sdk");
      })
      .then(({ LMStudioClient }) => new LMStudioClient({ baseUrl: this.url, logger: SILENT, ...(credentials as SdkCredentials) }));
  }

  version(): Promise<{ version: string; build: number }> {
    return this.#call("system.version", async () => (await this.#client).system.getLMStudioVersion());
  }

  async downloaded(): Promise<SdkModel[]> {
    const models = await this.#call("system.listDownloadedModels", async () => (await this.#client).system.listDownloadedModels());
    return models.map((m) => ({ key: m.modelKey, type: m.type === "embedding" ? "embedding" : "llm", sizeBytes: m.sizeBytes }));
  }

  /** Every loaded instance (LLMs and embedding models), with its context length for a faithful reload. */
  async loaded(): Promise<SnapshotInstance[]> {
    const handles = [
      ...(await this.#call("llm.listLoaded", async () => (await this.#client).llm.listLoaded())),
      ...(await this.#call("embedding.listLoaded", async () => (await this.#client).embedding.listLoaded())),
    ];
    return Promise.all(
      handles.map(async (h) => {
        const info: { contextLength?: number } | undefined = await this.#call("getModelInfo", (): Promise<{ contextLength?: number } | undefined> => h.getModelInfo()).catch(() => undefined);
        const contextLength = info?.contextLength ?? null;
        return { id: h.identifier, model: h.modelKey, contextLength };
      }),
    );
  }

  async load(model: string, type: "llm" | "embedding", options: { contextLength?: number | null; identifier?: string; timeoutMs: number }): Promise<string> {
    const config = options.contextLength ? { contextLength: options.contextLength } : {};
    const opts = { verbose: false as const, config, ...(options.identifier ? { identifier: options.identifier } : {}) };
    const handle: { identifier: string } = await this.#call(
      `${type}.loadModel ${model}`,
      async (): Promise<{ identifier: string }> => {
        const client = await this.#client;
        return type === "llm" ? client.llm.load(model, opts) : client.embedding.load(model, opts);
      },
      options.timeoutMs,
    );
    return handle.identifier;
  }

  async unload(instanceId: string, type: "llm" | "embedding"): Promise<void> {
    await this.#call(`${type}.unloadModel ${instanceId}`, async () => {
      const client = await this.#client;
      return type === "llm" ? client.llm.unload(instanceId) : client.embedding.unload(instanceId);
    });
  }

  async close(): Promise<void> {
    const client = await this.#client.catch(() => null);
    await client?.[Symbol.asyncDispose]().catch(() => undefined);
  }

  async #call<T>(what: string, run: () => Promise<T>, timeoutMs = this.#timeoutMs): Promise<T> {
    if (this.#broken) throw new SdkError(`SDK ${what}: not attempted, the connection already failed (${this.#broken})`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SdkError(`SDK ${what}: no valid answer within ${timeoutMs} ms (${this.url})`)), timeoutMs);
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      const message = error instanceof SdkError ? error.message : `SDK ${what} failed: ${firstLine(error)}`;
      if (error instanceof SdkError) {
        this.#broken = message;
        void this.close();
      }
      throw error instanceof SdkError ? error : new SdkError(message, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // The SDK's error text is the server's (`{success: false, error}`): it passes the server-text choke point.
  return serverText(text.split("\n").map((l) => l.trim()).find(Boolean) ?? "unknown error");
}
