/** The mock reproduces the documented LM Studio quirks; these tests pin them so the checks are tested against truth. */
import { describe, expect, it } from "vitest";
import { SdkClient } from "../harness/sdk/sdk-client.ts";
import { mockHost } from "./helpers/hosts.ts";

async function get(url: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json().catch(() => null), headers: res.headers };
}

const post = (body: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const ids = (body: unknown) => (body as { data: { id: string }[] }).data.map((m) => m.id);

describe("mock LM Studio", () => {
  it("serves surfaces by version: <0.3.6 only /v1/models, 0.3.6+ /api/v0, 0.4.0+ /api/v1", async () => {
    const old = await mockHost("compliant", { version: "0.3.5" });
    expect((await get(`${old.url}/api/v0/models`)).body).toEqual({ error: "Unexpected endpoint or method. (GET /api/v0/models)" });
    const mid = await mockHost("compliant", { version: "0.3.6" });
    expect((await get(`${mid.url}/api/v0/models`)).status).toBe(200);
    expect((await get(`${mid.url}/api/v1/models`)).body).toEqual({ error: "Unexpected endpoint or method. (GET /api/v1/models)" });
  });

  it("answers unknown routes and methods with HTTP 200 and LM Studio's error body", async () => {
    const mock = await mockHost("compliant");
    const res = await get(`${mock.url}/v1/models`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ error: "Unexpected endpoint or method. (DELETE /v1/models)" });
    expect(res.headers.get("x-powered-by")).toBe("Express");
  });

  it("JIT governs both /v1/models and /api/v0/models; /api/v1/models always lists everything", async () => {
    const off = await mockHost("mac-studio-1");
    const on = await mockHost("mac-studio-2");
    expect(ids((await get(`${off.url}/v1/models`)).body)).toHaveLength(2);
    expect(ids((await get(`${off.url}/api/v0/models`)).body)).toHaveLength(2);
    expect(ids((await get(`${on.url}/v1/models`)).body)).toHaveLength(4);
    expect(ids((await get(`${on.url}/api/v0/models`)).body)).toHaveLength(4);
    for (const mock of [off, on]) {
      const v1 = (await get(`${mock.url}/api/v1/models`)).body as { models: { key: string; loaded_instances: unknown[] }[] };
      expect(v1.models).toHaveLength(4);
      expect(v1.models.filter((m) => m.loaded_instances.length > 0).map((m) => m.key)).toEqual([
        "qwen2.5-0.5b-instruct",
        "text-embedding-nomic-embed-text-v1.5",
      ]);
    }
  });

  it("loads and unloads through /api/v1, stacking `:2` on a second load, and every surface follows", async () => {
    const mock = await mockHost("mac-studio-1");
    const load = await get(`${mock.url}/api/v1/models/load`, post({ model: "meta-llama-3.1-8b-instruct" }));
    expect(load.body).toMatchObject({ type: "llm", instance_id: "meta-llama-3.1-8b-instruct", status: "loaded" });
    const again = await get(`${mock.url}/api/v1/models/load`, post({ model: "meta-llama-3.1-8b-instruct" }));
    expect(again.body).toMatchObject({ instance_id: "meta-llama-3.1-8b-instruct:2" });
    expect(ids((await get(`${mock.url}/v1/models`)).body)).toContain("meta-llama-3.1-8b-instruct:2");
    const v0 = (await get(`${mock.url}/api/v0/models/meta-llama-3.1-8b-instruct`)).body;
    expect(v0).toMatchObject({ state: "loaded" });
    expect((await get(`${mock.url}/api/v1/models/unload`, post({ instance_id: "meta-llama-3.1-8b-instruct:2" }))).body).toEqual({
      instance_id: "meta-llama-3.1-8b-instruct:2",
    });
    expect((await get(`${mock.url}/api/v1/models/unload`, post({ instance_id: "nope" }))).status).toBe(404);
    expect((await get(`${mock.url}/api/v1/models/load`, post({}))).body).toMatchObject({ error: { type: "invalid_request", param: "model" } });
  });

  it("refuses loads beyond its memory capacity with LM Studio's guardrail message", async () => {
    const mock = await mockHost("mac-studio-1", { memoryCapacityBytes: 1_000_000_000 });
    const res = await get(`${mock.url}/api/v1/models/load`, post({ model: "meta-llama-3.1-8b-instruct" }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/insufficient system resources/);
  });

  it("requires the token when Require Authentication is on (0.4+), but the greeting stays open", async () => {
    const mock = await mockHost("compliant", { authToken: "sk-lm-a:b" });
    expect((await get(`${mock.url}/lmstudio-greeting`)).status).toBe(200);
    const denied = await get(`${mock.url}/api/v1/models`);
    expect(denied.status).toBe(401);
    expect(denied.body).toMatchObject({ error: { code: "invalid_api_key" } });
    expect((await get(`${mock.url}/api/v1/models`, { headers: { authorization: "Bearer sk-lm-a:b" } })).status).toBe(200);
  });

  it("with CORS off, a preflight gets HTTP 200 with an error body and no CORS headers", async () => {
    const off = await mockHost("compliant", { cors: false });
    const res = await get(`${off.url}/v1/models`, { method: "OPTIONS", headers: { origin: "http://example.test" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const on = await mockHost("compliant", { cors: true });
    const ok = await fetch(`${on.url}/v1/models`, { method: "OPTIONS", headers: { origin: "http://example.test", "access-control-request-headers": "content-type" } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("records every request it received", async () => {
    const mock = await mockHost("compliant");
    await get(`${mock.url}/lmstudio-greeting`);
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /lmstudio-greeting"]);
  });
});

/** The listings are rendered once per state change (fixtures/mock/cached-response.ts): every change must show. */
describe("mock listings after a state change", () => {
  const LISTINGS = ["/v1/models", "/api/v0/models", "/api/v1/models"] as const;
  /** What each listing says is loaded: ids on /v1/models (JIT off), `loaded` items on v0, instances on v1. */
  async function loadedPerListing(url: string): Promise<[string[], string[], string[]]> {
    const [v1, v0, rest] = await Promise.all(LISTINGS.map(async (path) => (await get(`${url}${path}`)).body));
    return [
      ids(v1).sort(),
      (v0 as { data: { id: string; state: string }[] }).data.filter((m) => m.state === "loaded").map((m) => m.id).sort(),
      (rest as { models: { loaded_instances: { id: string }[] }[] }).models.flatMap((m) => m.loaded_instances.map((i) => i.id)).sort(),
    ];
  }
  /** Instance ids on /v1/models and /api/v1/models; their models, once each, on /api/v0/models. Sorted: listings follow catalogue order. */
  const everywhere = (...loaded: string[]) => [[...loaded].sort(), [...new Set(loaded.map((id) => id.replace(/:\d+$/, "")))].sort(), [...loaded].sort()];
  const BASE = ["qwen2.5-0.5b-instruct", "text-embedding-nomic-embed-text-v1.5"];
  const LLAMA = "meta-llama-3.1-8b-instruct";

  it("follows loads and unloads through REST, the SDK and the state itself", async () => {
    const mock = await mockHost("mac-studio-1");
    expect(await loadedPerListing(mock.url)).toEqual(everywhere(...BASE));
    await get(`${mock.url}/api/v1/models/load`, post({ model: LLAMA }));
    expect(await loadedPerListing(mock.url)).toEqual(everywhere(...BASE, LLAMA));
    await get(`${mock.url}/api/v1/models/load`, post({ model: LLAMA }));
    expect(await loadedPerListing(mock.url)).toEqual(everywhere(...BASE, LLAMA, `${LLAMA}:2`));
    await get(`${mock.url}/api/v1/models/unload`, post({ instance_id: `${LLAMA}:2` }));
    expect(await loadedPerListing(mock.url)).toEqual(everywhere(...BASE, LLAMA));
    const sdk = new SdkClient(mock.url, 3_000);
    try {
      await sdk.unload(LLAMA, "llm");
      expect(await loadedPerListing(mock.url)).toEqual(everywhere(...BASE));
      const id = await sdk.load("google/gemma-3-12b", "llm", { timeoutMs: 3_000 });
      expect(await loadedPerListing(mock.url)).toEqual(everywhere(...BASE, id));
    } finally {
      await sdk.close();
    }
    mock.state.unload("google/gemma-3-12b");
    expect(await loadedPerListing(mock.url)).toEqual(everywhere(...BASE));
  });

  it("follows a JIT load, its eviction by the next JIT load, and its TTL running out", async () => {
    const mock = await mockHost("mac-studio-2", { loaded: [] });
    const loadedOnV1 = async () => (await loadedPerListing(mock.url))[2];
    expect(await loadedOnV1()).toEqual([]);
    const chat = (model: string, ttl?: number) => get(`${mock.url}/v1/chat/completions`, post({ model, messages: [{ role: "user", content: "hi" }], ttl }));
    await chat(LLAMA);
    expect(await loadedOnV1()).toEqual([LLAMA]);
    await chat("qwen2.5-0.5b-instruct", 0.05);
    expect(await loadedOnV1()).toEqual(["qwen2.5-0.5b-instruct"]);
    const deadline = Date.now() + 5_000;
    while ((await loadedOnV1()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await loadedOnV1()).toEqual([]);
  });

  it("hands a rewrite hook a fresh body on every request, so an in-place edit never accumulates", async () => {
    const appendGhost = (_path: string, body: unknown) => {
      (body as { data?: unknown[] }).data?.push({ id: "ghost", object: "model", owned_by: "organization_owner" });
      return body;
    };
    const mock = await mockHost("mac-studio-1", { rewrite: appendGhost });
    for (let i = 0; i < 3; i++) expect(ids((await get(`${mock.url}/v1/models`)).body)).toEqual([...BASE, "ghost"]);
  });
});
