/**
 * Inference: a host that cannot answer is never certified, a 5xx is never LM Studio's refusal, and a JIT-off host
 * behaves as LM Studio does (one model loaded answers for any name; two loaded refuse with 404; none loaded refuse
 * with 400 on 0.4, 404 on 0.3.5). Issue 15.4 and 11.5.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MockConfig } from "../fixtures/mock/config.ts";
import type { Exchange } from "../harness/http/client.ts";
import { makeEvidence } from "../harness/http/evidence.ts";
import { readInferenceAnswer } from "../harness/inference-answer.ts";
import { runCli } from "./helpers/cli.ts";
import { certify, check, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

const chat500 = { faults: [{ fault: { kind: "status" as const, status: 500 }, paths: ["/v1/chat/completions"] }] };
const ONE_LOADED = [{ model: "qwen2.5-0.5b-instruct" }];

async function chat(url: string, model: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 1 }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const payload = (name: string) => readFileSync(join(import.meta.dirname, "..", "fixtures", "payloads", name), "utf8");
const JSON_TYPE = "application/json; charset=utf-8";
function exchange(status: number, bodyText: string, contentType = JSON_TYPE): Exchange {
  return { status, headers: { "content-type": contentType }, bodyText, evidence: makeEvidence({ method: "POST", url: "http://h/v1/chat/completions", status }) };
}

describe("readInferenceAnswer: LM Studio's real payloads", () => {
  it("reads the docs' chat completion as answered, naming the model that answered", () => {
    expect(readInferenceAnswer(exchange(200, payload("v0-chat-completions.docs-endpoints-mdx.json")), "chat")).toEqual({ kind: "answered", answeredBy: "granite-3.0-2b-instruct" });
  });

  it("reads 'No models loaded' (bug-tracker#1730) as LM Studio's refusal at 400 (0.4) and 404 (0.3.5), never at 500", () => {
    const body = payload("error-openai-no-models-loaded.bugtracker-1730.json");
    for (const status of [400, 404]) expect(readInferenceAnswer(exchange(status, body), "chat")).toMatchObject({ kind: "refused", refusal: "no-models-loaded", status });
    expect(readInferenceAnswer(exchange(500, body), "chat").kind).toBe("broken");
  });

  it("reads LM Studio's HTTP 200 'Unexpected endpoint' (bug-tracker#618) and a text/plain 404 as broken", () => {
    expect(readInferenceAnswer(exchange(200, payload("error-unknown-endpoint-200.bugtracker-618.json")), "chat").kind).toBe("broken");
    expect(readInferenceAnswer(exchange(404, "Not Found", "text/plain"), "chat")).toMatchObject({ kind: "broken", why: expect.stringMatching(/text\/plain/) });
  });
});

describe("the mock answers chats on a JIT-off host as LM Studio does", () => {
  it("one model loaded: any model name is answered, HTTP 200, by the loaded instance", async () => {
    const mock = await mockHost("compliant", { loaded: ONE_LOADED });
    const r = await chat(mock.url, "meta-llama-3.1-8b-instruct");
    expect([r.status, r.body["model"]]).toEqual([200, "qwen2.5-0.5b-instruct"]);
    expect(mock.state.instances.map((i) => i.id)).toEqual(["qwen2.5-0.5b-instruct"]);
  });

  it("two loaded: 404 model_not_found; none loaded: 400 on 0.4.x and 404 on 0.3.5, 'No models loaded'", async () => {
    const two = await chat((await mockHost("compliant")).url, "meta-llama-3.1-8b-instruct");
    expect(two).toEqual({ status: 404, body: { error: expect.objectContaining({ code: "model_not_found", type: "invalid_request_error", message: expect.stringMatching(/^Model "meta-llama-3.1-8b-instruct" not found\. Please specify a valid model/) }) } });
    for (const [version, status] of [["0.4.18", 400], ["0.3.5", 404]] as const) {
      const none = await chat((await mockHost("compliant", { version, loaded: [] })).url, "qwen2.5-0.5b-instruct");
      expect([version, none.status, (none.body["error"] as { message: string }).message]).toEqual([version, status, expect.stringMatching(/^No models loaded\./)]);
    }
  });
});

describe("inference.loaded-model-answers (required)", () => {
  it("passes when the loaded model answers a max_tokens 1 chat, and loads nothing, even on a JIT host", async () => {
    const mock = await mockHost("mac-studio-2");
    const before = mock.state.instances.map((i) => i.id);
    const record = check(await certify(mock.url, { standard: { listing: "all-available" } }), "inference.loaded-model-answers");
    expect([record.status, record.required, record.observed["model"]]).toEqual(["passed", true, "qwen2.5-0.5b-instruct"]);
    expect(mock.state.instances.map((i) => i.id)).toEqual(before);
    const sent = mock.requests.filter((q) => q.path === "/v1/chat/completions");
    expect(sent.length).toBeGreaterThan(0);
  });

  it("uses embeddings when only an embedding model is loaded", async () => {
    const mock = await mockHost("compliant", { loaded: [{ model: "text-embedding-nomic-embed-text-v1.5" }] });
    const record = check(await certify(mock.url), "inference.loaded-model-answers");
    expect([record.status, record.observed["endpoint"]]).toEqual(["passed", "/v1/embeddings"]);
  });

  it.each([
    ["HTTP 500 on chat", chat500],
    ["a text/plain 404 on chat", { faults: [{ fault: { kind: "status", status: 404, contentType: "text/plain; charset=utf-8", body: "Not Found" }, paths: ["/v1/chat/completions"] }] }],
    ["HTTP 200 'Unexpected endpoint' on chat", { faults: [{ fault: { kind: "status", status: 200, body: '{"error":"Unexpected endpoint or method. (POST /v1/chat/completions)"}' }, paths: ["/v1/chat/completions"] }] }],
  ] as [string, Partial<MockConfig>][])("fails on %s, and the host is not certified", async (_name, config) => {
    const cert = await certify((await mockHost("compliant", config)).url);
    expect(check(cert, "inference.loaded-model-answers").status).toBe("failed");
    expect(cert.verdict).not.toBe("certified");
  });

  it("is skipped, saying why, when nothing is loaded; the host is then not certified", async () => {
    const cert = await certify((await mockHost("compliant", { loaded: [] })).url);
    const record = check(cert, "inference.loaded-model-answers");
    expect([record.status, record.reason]).toEqual(["skipped", expect.stringMatching(/nothing is loaded.*never loads one/)]);
    expect(cert.verdict).not.toBe("certified");
  });

  it("on an idle host, names a downloaded model to load: the smallest LLM, or the lifecycle model when one is set", async () => {
    const idle = (await mockHost("compliant", { loaded: [] })).url;
    const smallest = check(await certify(idle), "inference.loaded-model-answers");
    expect(smallest.reason).toContain("`lms load qwen2.5-0.5b-instruct` (the smallest downloaded LLM) and re-run");
    expect(smallest.reason).not.toContain("<model>");
    expect(smallest.observed).toMatchObject({ suggestedModel: "qwen2.5-0.5b-instruct" });
    const chosen = check(await certify(idle, { lifecycleModel: "meta-llama-3.1-8b-instruct" }), "inference.loaded-model-answers");
    expect(chosen.reason).toContain("`lms load meta-llama-3.1-8b-instruct` (the lifecycle model)");
    // Nothing downloaded to name (or only a name unsafe to paste into a shell): the placeholder, and where to look.
    const empty = check(await certify((await mockHost("compliant", { loaded: [], catalogue: [] })).url), "inference.loaded-model-answers");
    expect(empty.reason).toContain("`lms load <model>` (`lms ls` lists the downloaded models)");
  });
});

describe("inference.loaded-model-answers without an authoritative surface", () => {
  it("asks nothing and is skipped, saying why, where only /v1/models answers (asking could load a model)", async () => {
    const mock = await mockHost("mac-studio-2", { version: "0.3.5", sdk: false });
    const before = mock.state.instances.map((i) => i.id);
    const record = check(await certify(mock.url), "inference.loaded-model-answers");
    expect([record.status, record.reason]).toEqual(["skipped", expect.stringMatching(/^cannot tell which models are loaded .*nothing was asked$/)]);
    // A JIT host: any chat for a downloaded model would have loaded it.
    expect(record.evidence.filter((e) => e.method === "POST")).toEqual([]);
    expect(mock.state.instances.map((i) => i.id)).toEqual(before);
  });
});

describe("a 5xx is never a pass (issue 15.4)", () => {
  it("chat answering 500: lifecycle.no-implicit-load does not pass, and certify exits 1", async () => {
    const mock = await mockHost("compliant", chat500);
    const cert = await certify(mock.url, { allowMutations: true });
    const record = check(cert, "lifecycle.no-implicit-load");
    expect(record.status).toBe("inconclusive");
    expect(record.reason).toMatch(/HTTP 500, which is not one of LM Studio's documented answers or refusals/);
    expect(cert.verdict).not.toBe("certified");
    const r = await runCli(["certify", mock.url, "--allow-mutations", "--no-browser", "--probe-address", LAN_STAND_IN, "--skip", "bind.port"]);
    expect(r.code).toBe(1);
  });
});

describe("lifecycle.no-implicit-load decides from the loaded set and the answering model (issue 11.5)", () => {
  it("one model loaded (JIT off): the 200 answer by the loaded model is not an implicit load", async () => {
    const mock = await mockHost("compliant", { loaded: ONE_LOADED });
    const cert = await certify(mock.url, { allowMutations: true });
    const record = check(cert, "lifecycle.no-implicit-load");
    expect([record.status, record.observed["answeredBy"], record.observed["loadedAfterRequest"]]).toEqual(["passed", "qwen2.5-0.5b-instruct", false]);
    expect(record.reason).toMatch(/the one loaded model qwen2.5-0.5b-instruct answered instead/);
    expect(mock.state.instances.map((i) => i.id)).toEqual(["qwen2.5-0.5b-instruct"]);
  });

  it.each([
    ["two loaded (404 model_not_found)", { version: "0.4.6" }, "model-not-found"],
    ["none loaded on 0.4.18 (400)", { version: "0.4.18", loaded: [] }, "no-models-loaded"],
    ["none loaded on 0.3.20 (404, SDK driver)", { version: "0.3.20", loaded: [] }, "no-models-loaded"],
  ] as [string, Partial<MockConfig>, string][])("%s: LM Studio's refusal passes", async (_name, config, refusal) => {
    const record = check(await certify((await mockHost("compliant", config)).url, { allowMutations: true }), "lifecycle.no-implicit-load");
    expect([record.status, record.observed["refusal"]]).toEqual(["passed", refusal]);
  });

  it("a JIT host that loads the model still fails under loaded-only", async () => {
    const record = check(await certify((await mockHost("mac-studio-2")).url, { allowMutations: true }), "lifecycle.no-implicit-load");
    expect([record.status, record.reason]).toEqual(["failed", expect.stringMatching(/the request loaded .* \(JIT is on\)/)]);
  });
});

describe("inference.no-model-substitution (optional)", () => {
  it("fails, with a remedy for routers, when the one loaded model answers for a model the host does not have", async () => {
    const mock = await mockHost("compliant", { loaded: ONE_LOADED });
    const cert = await certify(mock.url);
    const record = check(cert, "inference.no-model-substitution");
    expect([record.status, record.required, record.observed["answeredBy"]]).toEqual(["failed", false, "qwen2.5-0.5b-instruct"]);
    expect(record.remedy).toMatch(/compare the response's `model` with the model it asked for/);
    expect(mock.state.instances.map((i) => i.id)).toEqual(["qwen2.5-0.5b-instruct"]);
  });

  it("passes where LM Studio refuses: two loaded, or a host configured not to substitute", async () => {
    expect(check(await certify((await mockHost("compliant")).url), "inference.no-model-substitution").status).toBe("passed");
    const strict = await mockHost("compliant", { loaded: ONE_LOADED, substituteSoleLoadedModel: false });
    expect(check(await certify(strict.url), "inference.no-model-substitution").status).toBe("passed");
  });
});
