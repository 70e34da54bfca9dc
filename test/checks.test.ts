/** Every check, against a mock that must make it pass and one that must make it fail (or be inconclusive). */
import { describe, expect, it } from "vitest";
import { Certificate } from "../contracts/certificate.ts";
import { check, certify, closedPortUrl, mockHost, plainHost, statuses } from "./helpers/hosts.ts";

const dropField = (field: string) => (body: unknown) => {
  const list = body as { data?: Record<string, unknown>[]; models?: Record<string, unknown>[] };
  for (const item of list.data ?? list.models ?? []) delete item[field];
  return body;
};

describe("the compliant host", () => {
  it("passes every check and is certified; the certificate validates against its schema", async () => {
    const mock = await mockHost("compliant");
    const cert = await certify(mock.url);
    expect(statuses(cert)).toEqual({
      "health.greeting": "passed",
      "surfaces.discovered": "passed",
      "schema.openai-models": "passed",
      "schema.rest-v0-models": "passed",
      "schema.rest-v1-models": "passed",
      "state.authoritative-surface": "passed",
      "listing.matches-standard": "passed",
      "listing.consistent-across-surfaces": "passed",
      "cors.preflight": "passed",
      "cors.actual-request": "passed",
      "cors.private-network": "failed",
      "cors.browser": "skipped",
      "cors.disabled": "skipped",
      "bind.port": "passed",
      "bind.reachable-off-loopback": "passed",
      "bind.all-interfaces": "skipped",
      "auth.required": "skipped",
      "auth.token-accepted": "skipped",
      "auth.not-required": "passed",
      "models.required-present": "skipped",
      "memory.within-budget": "skipped",
      "memory.over-budget-refused": "skipped",
      "inference.loaded-model-answers": "passed",
      "inference.no-model-substitution": "passed",
      "lifecycle.load": "skipped",
      "lifecycle.unload": "skipped",
      "lifecycle.no-implicit-load": "skipped",
      "lifecycle.no-duplicate-instances": "skipped",
      "contract.pact-verified": "skipped",
      "config.local-settings": "skipped",
    });
    expect(cert.checks.filter((c) => c.required && c.status !== "passed")).toEqual([]);
    expect(cert.verdict).toBe("certified");
    expect(Certificate.safeParse(cert).success).toBe(true);
  });
});

describe("certification is read-only", () => {
  it("never loads or unloads: no load/unload call, and even on a JIT host the loaded set stays as it was", async () => {
    const mock = await mockHost("mac-studio-2");
    const before = mock.state.instances.map((i) => i.id);
    await certify(mock.url);
    expect(mock.requests.filter((r) => r.path.startsWith("/api/v1/models/"))).toEqual([]);
    const methods = new Set(mock.requests.map((r) => `${r.method} ${r.path}`));
    expect([...methods].filter((m) => !m.startsWith("GET ") && !m.startsWith("OPTIONS "))).toEqual(["POST /v1/chat/completions"]);
    expect(mock.state.instances.map((i) => i.id)).toEqual(before);
  });
});

describe("health.greeting", () => {
  it("fails on a JSON API that is not LM Studio", async () => {
    const url = await plainHost((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"message":"not found"}');
    });
    const cert = await certify(url);
    expect(check(cert, "health.greeting").status).toBe("failed");
    expect(cert.verdict).toBe("not-certified");
  });

  it("is an error, not a failure, when nothing listens", async () => {
    const cert = await certify(await closedPortUrl());
    expect(check(cert, "health.greeting").status).toBe("error");
  });
});

describe("surfaces.discovered", () => {
  it("reports surfaces and the implied version for each LM Studio generation", async () => {
    for (const [version, present, range] of [
      ["0.3.5", ["openai", "sdk"], "<0.3.6"],
      ["0.3.20", ["openai", "rest-v0", "sdk"], ">=0.3.6 <0.4.0"],
      ["0.4.6", ["openai", "rest-v0", "rest-v1"], ">=0.4.0"],
    ] as const) {
      const cert = await certify((await mockHost("compliant", { version })).url);
      const record = check(cert, "surfaces.discovered");
      expect(record.status).toBe("passed");
      expect(record.observed).toMatchObject({ present, versionRange: range });
      expect(cert.host.surfaces).toEqual(present);
      // The SDK's system.version states the exact version on every generation, 0.4 included (issue 11.9).
      expect(cert.host.lmstudioVersion).toBe(version);
    }
    const noSdk = await certify((await mockHost("compliant", { version: "0.4.6", sdk: false })).url);
    expect([noSdk.host.lmstudioVersion, check(noSdk, "surfaces.discovered").reason]).toEqual([null, expect.stringMatching(/version not stated; surfaces imply >=0.4.0/)]);
  });

  it("is an error with a clear reason for a plain web server", async () => {
    const url = await plainHost((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<h1>It works!</h1>");
    });
    const record = check(await certify(url), "surfaces.discovered");
    expect(record.status).toBe("error");
    expect(record.reason).toMatch(/not an LM Studio server/);
  });

  it("is inconclusive, with the token remedy, when every surface wants a token we do not have", async () => {
    const mock = await mockHost("compliant", { authToken: "sk-lm-test:abc" });
    const record = check(await certify(mock.url), "surfaces.discovered");
    expect(record.status).toBe("inconclusive");
    expect(record.remedy).toMatch(/--token-env/);
  });

  it("passes with the token", async () => {
    const mock = await mockHost("compliant", { authToken: "sk-lm-test:abc" });
    const cert = await certify(mock.url, { token: "sk-lm-test:abc", standard: { auth: "token" } });
    expect(cert.verdict).toBe("certified");
    expect(JSON.stringify(cert)).not.toContain("sk-lm-test:abc");
  });
});

describe("schema checks", () => {
  it.each([
    ["schema.openai-models", "/v1/models", "owned_by", "/data/0"],
    ["schema.rest-v0-models", "/api/v0/models", "state", "/data/0"],
    ["schema.rest-v1-models", "/api/v1/models", "loaded_instances", "/models/0"],
  ])("%s fails, naming the instance path, when %s items lose `%s`", async (id, path, field, at) => {
    const mock = await mockHost("compliant", { rewrite: (p, body) => (p === path ? dropField(field)(body) : body) });
    const record = check(await certify(mock.url), id);
    expect(record.status).toBe("failed");
    expect(record.reason).toContain(`→ at ${at}`);
    expect(record.observed["issues"]).toContainEqual({ path: at, message: `must have required property '${field}'` });
  });

  it("an absent surface is skipped with its reason, and drift is reported but passes", async () => {
    const old = await mockHost("compliant", { version: "0.3.20" });
    const record = check(await certify(old.url), "schema.rest-v1-models");
    expect(record.status).toBe("skipped");
    expect(record.reason).toMatch(/Unexpected endpoint or method/);
    const drifting = await mockHost("compliant", {
      rewrite: (p, body) => (p === "/v1/models" ? { ...(body as object), created: 1 } : body),
    });
    const drift = check(await certify(drifting.url), "schema.openai-models");
    expect(drift.status).toBe("passed");
    expect(drift.observed["drift"]).toEqual(["/created"]);
  });
});

describe("state.authoritative-surface", () => {
  it("fails on LM Studio < 0.3.6 without the SDK websocket: no surface states loaded vs available", async () => {
    const mock = await mockHost("compliant", { version: "0.3.5", sdk: false });
    const record = check(await certify(mock.url), "state.authoritative-surface");
    expect(record.status).toBe("failed");
    expect(record.remedy).toMatch(/0\.4\.0 adds \/api\/v1\/models/);
  });

  it("falls back to rest-v0 on 0.3.x", async () => {
    const mock = await mockHost("compliant", { version: "0.3.20" });
    const record = check(await certify(mock.url), "state.authoritative-surface");
    expect(record.status).toBe("passed");
    expect(record.observed["source"]).toBe("rest-v0");
  });

  it("fails when the state surfaces answer with payloads that break their contracts", async () => {
    const mock = await mockHost("compliant", {
      rewrite: (p, body) => (p.startsWith("/api/") ? { unexpected: true } : body),
    });
    expect(check(await certify(mock.url), "state.authoritative-surface").status).toBe("failed");
  });
});

describe("listing.matches-standard", () => {
  it("passes a JIT-off host (loaded-only) and fails a JIT-on host (all-available) under the default standard", async () => {
    const ms1 = check(await certify((await mockHost("mac-studio-1")).url), "listing.matches-standard");
    const ms2 = check(await certify((await mockHost("mac-studio-2")).url), "listing.matches-standard");
    expect([ms1.status, ms1.observed["behaviour"]]).toEqual(["passed", "loaded-only"]);
    expect([ms2.status, ms2.observed["behaviour"]]).toEqual(["failed", "all-available"]);
    expect(ms2.remedy).toMatch(/turn off "Just-in-Time Model Loading"/);
    expect(ms2.observed["differences"]).toMatchObject({ listedNotLoaded: ["google/gemma-3-12b", "meta-llama-3.1-8b-instruct"] });
  });

  it("inverts under an all-available standard, with the turn-JIT-on remedy", async () => {
    const standard = { listing: "all-available" as const };
    const ms1 = check(await certify((await mockHost("mac-studio-1")).url, { standard }), "listing.matches-standard");
    const ms2 = check(await certify((await mockHost("mac-studio-2")).url, { standard }), "listing.matches-standard");
    expect(ms1.status).toBe("failed");
    expect(ms1.remedy).toMatch(/turn on "Just-in-Time Model Loading"/);
    expect(ms2.status).toBe("passed");
  });

  it("is inconclusive (indeterminate) when every downloaded model is loaded", async () => {
    const mock = await mockHost("mac-studio-2", {
      loaded: ["qwen2.5-0.5b-instruct", "meta-llama-3.1-8b-instruct", "google/gemma-3-12b", "text-embedding-nomic-embed-text-v1.5"].map((model) => ({ model })),
    });
    const record = check(await certify(mock.url), "listing.matches-standard");
    expect([record.status, record.observed["behaviour"]]).toEqual(["inconclusive", "indeterminate"]);
  });

  it("is inconclusive on 0.3.x with JIT off and no SDK, where rest-v0 lists only loaded models and A is unknown", async () => {
    const mock = await mockHost("mac-studio-1", { version: "0.3.20", sdk: false });
    const cert = await certify(mock.url);
    const record = check(cert, "listing.matches-standard");
    expect([record.status, record.observed["behaviour"]]).toEqual(["inconclusive", "indeterminate"]);
    expect(cert.verdict).toBe("incomplete");
  });

  it("classifies a 0.3.x JIT-on host from rest-v0 alone", async () => {
    const mock = await mockHost("mac-studio-2", { version: "0.3.20" });
    const record = check(await certify(mock.url), "listing.matches-standard");
    expect([record.status, record.observed["behaviour"], record.observed["source"]]).toEqual(["failed", "all-available", "rest-v0"]);
  });

  it("is inconclusive when no surface states the model state (0.3.5 without the SDK)", async () => {
    const record = check(await certify((await mockHost("mac-studio-1", { version: "0.3.5", sdk: false })).url), "listing.matches-standard");
    expect([record.status, record.observed["behaviour"]]).toEqual(["inconclusive", "unknown"]);
  });

  it("fails as inconsistent when /v1/models matches neither set", async () => {
    const mock = await mockHost("mac-studio-1", {
      rewrite: (p, body) => (p === "/v1/models" ? { object: "list", data: [{ id: "ghost-model", object: "model", owned_by: "organization_owner" }] } : body),
    });
    const record = check(await certify(mock.url), "listing.matches-standard");
    expect([record.status, record.observed["behaviour"]]).toEqual(["failed", "inconsistent"]);
  });

  it("treats `:2` instances as instances of their model, not as extra models", async () => {
    const mock = await mockHost("mac-studio-1", { loaded: [{ model: "qwen2.5-0.5b-instruct" }, { model: "qwen2.5-0.5b-instruct" }] });
    const record = check(await certify(mock.url), "listing.matches-standard");
    expect([record.status, record.observed["listed"]]).toEqual(["passed", ["qwen2.5-0.5b-instruct"]]);
  });
});

describe("listing.consistent-across-surfaces", () => {
  it("fails when /api/v0/models says a loaded model is not loaded", async () => {
    const mock = await mockHost("mac-studio-2", {
      rewrite: (p, body) => {
        if (p !== "/api/v0/models") return body;
        const list = body as { data: { id: string; state: string }[] };
        for (const item of list.data) if (item.id === "qwen2.5-0.5b-instruct") item.state = "not-loaded";
        return body;
      },
    });
    const record = check(await certify(mock.url), "listing.consistent-across-surfaces");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(/loaded: rest-v1 loaded_instances vs rest-v0 state: only in rest-v1 loaded_instances \[qwen2\.5-0\.5b-instruct\]/);
  });

  it("fails when /v1/models names instances that loaded_instances does not", async () => {
    const mock = await mockHost("mac-studio-1", {
      loaded: [{ model: "qwen2.5-0.5b-instruct", id: "router-qwen" }],
      rewrite: (p, body) => (p === "/v1/models" ? { object: "list", data: [{ id: "qwen2.5-0.5b-instruct:7", object: "model", owned_by: "organization_owner" }] } : body),
    });
    const record = check(await certify(mock.url), "listing.consistent-across-surfaces");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(/^instances:/m);
  });

  it("fails when /v1/models lists a model that no other surface reports (issue 15)", async () => {
    const ghost = { id: "ghost/phantom-7b", object: "model", owned_by: "organization_owner" };
    const mock = await mockHost("compliant", {
      rewrite: (p, body) => (p === "/v1/models" ? { ...(body as object), data: [...(body as { data: unknown[] }).data, ghost] } : body),
    });
    const record = check(await certify(mock.url), "listing.consistent-across-surfaces");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(/\/v1\/models lists a model that no other surface reports \(rest-v1 models, .*\): \[ghost\/phantom-7b\]/);
  });

  it("is inconclusive when only one surface states anything (0.3.5 without the SDK)", async () => {
    const record = check(await certify((await mockHost("mac-studio-1", { version: "0.3.5", sdk: false })).url), "listing.consistent-across-surfaces");
    expect(record.status).toBe("inconclusive");
  });
});
