/**
 * What real LM Studio versions do (issue 11), each fact reproduced by a mock version profile and checked the way
 * lmcert sees it: auth across 0.4 (11.3), SDK websocket auth (11.4), payload shapes (11.6), the version (11.9).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { DEFAULT_CATALOGUE, UNNAMED_QUANT_MODEL } from "../fixtures/mock/catalogue.ts";
import { SdkClient } from "../harness/sdk/sdk-client.ts";
import { validateContract } from "../harness/schema-validator.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/fleet.ts";
import { certify, check, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

/** The shape of a real token: `sk-lm-` + 8 + `:` + 20 (opencode-lmstudio#41). */
const TOKEN = "sk-lm-Ab12Cd34:Ef56Gh78Ij90Kl12Mn34";
const OTHER_TOKEN = "sk-lm-Zz99Yy88:Xx77Ww66Vv55Uu44Tt33";
const tokenStandard = { auth: "token" as const };

async function get(url: string, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, body: await response.json() };
}

describe("11.3 auth across 0.4 versions", () => {
  it("0.4.18 refuses a missing token with 401 invalid_api_key; auth.required passes and names the refusal", async () => {
    const mock = await mockHost("compliant", { version: "0.4.18", authToken: TOKEN });
    const anonymous = await get(`${mock.url}/v1/models`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { type: "invalid_request", code: "invalid_api_key", message: expect.stringMatching(/^An LM Studio API token is required/) } });
    const record = check(await certify(mock.url, { token: TOKEN, standard: tokenStandard }), "auth.required");
    expect([record.status, record.observed["refusal"]]).toEqual(["passed", "http-401"]);
  });

  it('0.4.2 answers "Unexpected endpoint" (HTTP 200) without the token and really with it; auth.required counts it as a refusal and names the quirk', async () => {
    const mock = await mockHost("compliant", { version: "0.4.2", authToken: TOKEN });
    expect(await get(`${mock.url}/v1/models`)).toEqual({ status: 200, body: { error: "Unexpected endpoint or method. (GET /v1/models)" } });
    expect((await get(`${mock.url}/v1/models`, TOKEN)).body).toMatchObject({ object: "list" });
    const cert = await certify(mock.url, { token: TOKEN, standard: tokenStandard });
    const record = check(cert, "auth.required");
    expect(record.status).toBe("passed");
    expect(record.reason).toMatch(/early LM Studio 0\.4 \(e\.g\. 0\.4\.2\) refuses this way instead of 401 invalid_api_key/);
    expect(record.observed["refusal"]).toBe("unknown-endpoint-200");
    expect(check(cert, "auth.token-accepted").status).toBe("passed");
    expect(cert.verdict).toBe("certified");
  });

  it("0.4.2 without the token: discovery says the surfaces want a token (not absent), and nothing is certified", async () => {
    const mock = await mockHost("compliant", { version: "0.4.2", authToken: TOKEN });
    const cert = await certify(mock.url, { standard: tokenStandard });
    const surfaces = check(cert, "surfaces.discovered");
    expect(surfaces.status).toBe("inconclusive");
    expect(surfaces.observed["surfaces"]).toMatchObject({ openai: { state: "unauthorized", reason: expect.stringMatching(/early LM Studio 0\.4/) } });
    expect(check(cert, "auth.required")).toMatchObject({ status: "inconclusive", reason: expect.stringMatching(/without --token-env/) });
    const open = check(await certify(mock.url), "auth.not-required");
    expect([open.status, open.reason]).toEqual(["failed", expect.stringMatching(/refused without a token/)]);
  });

  it("an open 0.4.2 host is not mistaken for one that wants a token", async () => {
    const cert = await certify((await mockHost("compliant", { version: "0.4.2" })).url);
    expect(check(cert, "auth.not-required").status).toBe("passed");
    expect(check(cert, "surfaces.discovered").observed).toMatchObject({ present: ["openai", "rest-v0", "rest-v1"] });
  });
});

describe("11.4 SDK websocket auth", () => {
  const stray = process.env["LM_API_TOKEN"];
  afterEach(() => {
    if (stray === undefined) delete process.env["LM_API_TOKEN"];
    else process.env["LM_API_TOKEN"] = stray;
  });

  it("the SDK gets the token split (identifier = 8 after sk-lm-, passkey = 20 after the colon) and is accepted", async () => {
    const mock = await mockHost("compliant", { version: "0.4.18", authToken: TOKEN });
    const sdk = new SdkClient(mock.url, 3_000, TOKEN);
    try {
      expect(await sdk.version()).toEqual({ version: "0.4.18", build: 1 });
    } finally {
      await sdk.close();
    }
    expect(mock.sdkClients).toEqual([{ namespace: "system", clientIdentifier: "Ab12Cd34", accepted: true }]);
  });

  it("without a token the SDK is a guest: refused with {success:false, error}, then the server closes", async () => {
    const mock = await mockHost("compliant", { version: "0.4.18", authToken: TOKEN });
    const sdk = new SdkClient(mock.url, 1_000);
    await expect(sdk.version()).rejects.toThrow(/SDK system\.version/);
    await sdk.close();
    expect(mock.sdkClients).toEqual([{ namespace: "system", clientIdentifier: expect.stringMatching(/^guest:/), accepted: false }]);
  });

  it("the whole token as passkey (the old mock's rule) is refused, and the socket is closed", async () => {
    const mock = await mockHost("compliant", { version: "0.4.18", authToken: TOKEN });
    const ws = new WebSocket(`${mock.url.replace("http", "ws")}/system`);
    const messages: unknown[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send(JSON.stringify({ authVersion: 1, clientIdentifier: "lmcert", clientPasskey: TOKEN }));
    await new Promise((resolve) => ws.once("close", resolve));
    expect(messages).toEqual([{ success: false, error: expect.any(String) }]);
  });

  it("a stray LM_API_TOKEN in lmcert's environment changes nothing: without --token-env the SDK stays a guest", async () => {
    const mock = await mockHost("compliant", { version: "0.4.18", authToken: TOKEN });
    process.env["LM_API_TOKEN"] = TOKEN;
    const sdk = new SdkClient(mock.url, 1_000);
    await expect(sdk.version()).rejects.toThrow(/SDK/);
    await sdk.close();
    expect(mock.sdkClients.map((c) => c.clientIdentifier)).toEqual([expect.stringMatching(/^guest:/)]);
    // And with --token-env, the given token wins over the stray one.
    process.env["LM_API_TOKEN"] = OTHER_TOKEN;
    const cert = await certify(mock.url, { token: TOKEN, standard: tokenStandard });
    expect(cert.host.lmstudioVersion).toBe("0.4.18");
    expect(mock.sdkClients.at(-1)).toEqual({ namespace: "system", clientIdentifier: "Ab12Cd34", accepted: true });
    expect(check(cert, "auth.token-accepted")).toMatchObject({ status: "passed", observed: { sdkWebsocket: "accepted" } });
  });

  it("a token that is not an LM Studio API token is refused before connecting, with the reason", async () => {
    const sdk = new SdkClient("http://127.0.0.1:9", 500, "not-a-token");
    await expect(sdk.version()).rejects.toThrow(/does not look like an LM Studio API token/);
    await sdk.close();
  });
});

describe("11.6 payload shapes", () => {
  it("0.4.18 /api/v1/models items carry description, variants, selected_variant and may have null quantization parts; the contract accepts them", async () => {
    const mock = await mockHost("compliant", { version: "0.4.18", catalogue: [...DEFAULT_CATALOGUE, UNNAMED_QUANT_MODEL] });
    const { body } = await get(`${mock.url}/api/v1/models`);
    const models = (body as { models: Record<string, unknown>[] }).models;
    expect(models.find((m) => m["key"] === "meta-llama-3.1-8b-instruct")).toMatchObject({
      description: expect.any(String),
      variants: ["meta-llama-3.1-8b-instruct@q4_k_m", "meta-llama-3.1-8b-instruct@q8_0"],
      selected_variant: "meta-llama-3.1-8b-instruct@q4_k_m",
    });
    expect(models.find((m) => m["key"] === UNNAMED_QUANT_MODEL.key)).toMatchObject({ description: null, quantization: { name: null, bits_per_weight: null } });
    expect(validateContract("lmstudio.v1.ModelList", body)).toMatchObject({ valid: true, drift: [] });
    const cert = await certify(mock.url);
    for (const id of ["schema.rest-v1-models", "schema.rest-v0-models", "schema.openai-models"]) {
      expect([id, check(cert, id).status, check(cert, id).observed["drift"]]).toEqual([id, "passed", []]);
    }
  });

  it("0.4.2 sends no description/variants (they arrived in 0.4.6); the contract accepts both", async () => {
    const mock = await mockHost("compliant", { version: "0.4.2" });
    const { body } = await get(`${mock.url}/api/v1/models`);
    expect((body as { models: Record<string, unknown>[] }).models.some((m) => "variants" in m || "description" in m)).toBe(false);
    expect(validateContract("lmstudio.v1.ModelList", body).valid).toBe(true);
  });

  it("/api/v0/models still answers on 0.4.18", async () => {
    const mock = await mockHost("compliant", { version: "0.4.18" });
    const { status, body } = await get(`${mock.url}/api/v0/models`);
    expect(status).toBe(200);
    expect(validateContract("lmstudio.v0.ModelList", body).valid).toBe(true);
  });

  it("GET /v1/models/{id} answers a listed id and says \"Model with identifier 'x' not found\" otherwise", async () => {
    const mock = await mockHost("compliant", { version: "0.4.18" });
    const found = await get(`${mock.url}/v1/models/qwen2.5-0.5b-instruct`);
    expect(found).toEqual({ status: 200, body: { id: "qwen2.5-0.5b-instruct", object: "model", owned_by: "organization_owner" } });
    expect(validateContract("lmstudio.openai.Model", found.body).valid).toBe(true);
    const missing = await get(`${mock.url}/v1/models/test`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { message: "Model with identifier 'test' not found" } });
  });
});

describe("11.9 the LM Studio version on 0.4 hosts", () => {
  it("is read from the SDK's system.version, so `lmcert diff` shows 0.3.20 → 0.4.18", async () => {
    const dir = tempDir();
    const files: string[] = [];
    for (const version of ["0.3.20", "0.4.18"]) {
      const mock = await mockHost("mac-studio-1", { version });
      const r = await runCli(["certify", mock.url, "--json", "--no-browser", "--probe-address", LAN_STAND_IN, "--name", "mac-studio-1"]);
      expect(JSON.parse(r.stdout).host.lmstudioVersion).toBe(version);
      files.push(join(dir, `${version}.json`));
      writeFileSync(files.at(-1) as string, r.stdout);
    }
    const diff = await runCli(["diff", ...files]);
    expect(diff.stdout).toContain("LM Studio 0.3.20 → 0.4.18");
  });
});

describe("11.3 for the client fix and the mock knob", () => {
  it("readModelState on an early-0.4 host without the token says the token is missing, not that the surfaces are absent", async () => {
    const { readModelState, ModelStateUnavailableError } = await import("../index.ts");
    const mock = await mockHost("compliant", { version: "0.4.2", authToken: TOKEN });
    const error = await readModelState(mock.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelStateUnavailableError);
    expect(String(error)).toMatch(/early LM Studio 0\.4 \(e\.g\. 0\.4\.2\) refuses a request without an API token/);
    expect((await readModelState(mock.url, { token: TOKEN })).loaded).toEqual(["qwen2.5-0.5b-instruct", "text-embedding-nomic-embed-text-v1.5"]);
  });

  it("the mock's authRefusal knob overrides the version's refusal style", async () => {
    const mock = await mockHost("compliant", { version: "0.4.18", authToken: TOKEN, authRefusal: "unknown-endpoint-200" });
    expect((await get(`${mock.url}/api/v1/models`)).body).toEqual({ error: "Unexpected endpoint or method. (GET /api/v1/models)" });
  });
});
