/** @module The router's load/unload client (LM Studio 0.4+ REST): the calls a cluster makes to manage models. */
import { HttpClient } from "../http/client.ts";
import { RestV1Driver } from "../lifecycle/rest-v1-driver.ts";

export interface ModelAdminOptions {
  readonly token?: string;
  /** Loads can take minutes for large models. */
  readonly timeoutMs?: number;
  readonly contextLength?: number;
}

async function withDriver<T>(baseUrl: string, options: ModelAdminOptions, use: (driver: RestV1Driver) => Promise<T>): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const http = new HttpClient({ token: options.token, timeoutMs });
  try {
    return await use(new RestV1Driver(http, baseUrl, timeoutMs));
  } finally {
    await http.close();
  }
}

/** Loads `model` and returns the instance id to route requests to (`<key>`, or `<key>:2` for a second instance). */
export function loadModel(baseUrl: string, model: string, options: ModelAdminOptions = {}): Promise<{ instanceId: string; loadTimeSeconds: number | null }> {
  return withDriver(baseUrl, options, (d) => d.load(model, { contextLength: options.contextLength ?? null }));
}

export function unloadModel(baseUrl: string, instanceId: string, options: ModelAdminOptions = {}): Promise<void> {
  return withDriver(baseUrl, options, (d) => d.unload(instanceId));
}
