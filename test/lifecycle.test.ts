/** Mutating checks on the rest-v1 path: each passes and fails on suitable mocks, and the host is always put back. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { MockConfig } from "../fixtures/mock/config.ts";
import type { PresetName } from "../fixtures/mock/presets.ts";
import type { RunningMock } from "../fixtures/mock/server.ts";
import { certify, check, mockHost, type CertifyTestOptions } from "./helpers/hosts.ts";

const ALL_MODELS = ["qwen2.5-0.5b-instruct", "meta-llama-3.1-8b-instruct", "google/gemma-3-12b", "text-embedding-nomic-embed-text-v1.5"];

const loadedIds = (mock: RunningMock) => mock.state.instances.map((i) => i.id).sort();

/** Certifies with --allow-mutations and asserts the one thing that always holds: the host is as it was. */
async function mutate(name: PresetName, overrides: Partial<MockConfig> = {}, options: CertifyTestOptions = {}) {
  const mock = await mockHost(name, overrides);
  const before = loadedIds(mock);
  const cert = await certify(mock.url, { allowMutations: true, ...options });
  expect(loadedIds(mock)).toEqual(before);
  return { mock, cert };
}

describe("lifecycle on LM Studio 0.4 (rest-v1 driver)", () => {
  it("load, unload and no-implicit-load pass on a JIT-off host; the certificate records the restore", async () => {
    const { cert } = await mutate("mac-studio-1", { loadLatencyMs: 50 });
    for (const id of ["lifecycle.load", "lifecycle.unload", "lifecycle.no-implicit-load"]) {
      expect([id, check(cert, id).status, check(cert, id).required]).toEqual([id, "passed", true]);
    }
    expect(check(cert, "lifecycle.load").observed).toMatchObject({ driver: "rest-v1", model: "meta-llama-3.1-8b-instruct", instanceId: "meta-llama-3.1-8b-instruct" });
    expect(cert.mutations).toMatchObject({ driver: "rest-v1", performed: true, restore: "restored" });
    expect(cert.run.mutationsAllowed).toBe(true);
    const journal = JSON.parse(readFileSync(cert.mutations.journal as string, "utf8"));
    expect(journal.status).toBe("restored");
    expect(journal.snapshot.map((i: { id: string }) => i.id)).toEqual(["qwen2.5-0.5b-instruct", "text-embedding-nomic-embed-text-v1.5"]);
    expect(journal.mutations.map((m: { action: string }) => m.action)).toContain("load");
  });

  it("without --allow-mutations every mutating check is skipped, not required, and nothing is touched", async () => {
    const mock = await mockHost("mac-studio-1");
    const cert = await certify(mock.url);
    for (const id of ["lifecycle.load", "lifecycle.unload", "lifecycle.no-implicit-load", "memory.over-budget-refused"]) {
      expect(check(cert, id)).toMatchObject({ status: "skipped", required: false, reason: expect.stringMatching(/--allow-mutations/) });
    }
    expect(cert.mutations).toMatchObject({ performed: false, restore: "not-needed", journal: null });
    expect(mock.requests.filter((r) => r.path.startsWith("/api/v1/models/"))).toEqual([]);
  });

  it("no-implicit-load fails on a JIT host under a loaded-only standard, and the JIT-loaded model is unloaded again", async () => {
    const { cert } = await mutate("mac-studio-2");
    const record = check(cert, "lifecycle.no-implicit-load");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(/the request loaded .* \(JIT is on\)/);
    expect(record.remedy).toMatch(/turn off "Just-in-Time Model Loading"/);
  });

  it("no-implicit-load passes on a JIT host under an all-available standard, reporting the TTL", async () => {
    const { cert } = await mutate("mac-studio-2", {}, { standard: { listing: "all-available" } });
    const record = check(cert, "lifecycle.no-implicit-load");
    expect(record.status).toBe("passed");
    expect(record.observed).toMatchObject({ loadedAfterRequest: true, requestedTtlSeconds: 60 });
  });

  it("no-duplicate-instances fails when a second load stacks `:2`, passes when the host reuses the instance or the standard allows it", async () => {
    const stacked = check((await mutate("mac-studio-1")).cert, "lifecycle.no-duplicate-instances");
    expect(stacked.status).toBe("failed");
    expect(stacked.reason).toMatch(/silently stacked qwen2\.5-0\.5b-instruct:2/);
    expect(check((await mutate("mac-studio-1", { dedupeLoads: true })).cert, "lifecycle.no-duplicate-instances").status).toBe("passed");
    const allowed = { lifecycle: { model: null, loadTimeoutSeconds: 120, allowDuplicateInstances: true } };
    expect(check((await mutate("mac-studio-1", {}, { standard: allowed })).cert, "lifecycle.no-duplicate-instances").status).toBe("passed");
  });

  it("lifecycle.load fails when the surfaces disagree after a load", async () => {
    const hideFromV0 = (path: string, body: unknown) => {
      if (path !== "/api/v0/models") return body;
      for (const item of (body as { data: { id: string; state: string }[] }).data) if (item.id === "meta-llama-3.1-8b-instruct") item.state = "not-loaded";
      return body;
    };
    const { cert } = await mutate("mac-studio-2", { rewrite: hideFromV0 }, { standard: { lifecycle: { model: null, loadTimeoutSeconds: 0.5, allowDuplicateInstances: false } } });
    const record = check(cert, "lifecycle.load");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(/surfaces still disagree: rest-v0 says meta-llama-3\.1-8b-instruct is not-loaded/);
    expect(check(cert, "lifecycle.unload").status).toBe("skipped");
  });

  it("lifecycle.unload fails when a surface still reports the model loaded after the unload", async () => {
    const stuckInV0 = (path: string, body: unknown) => {
      if (path !== "/api/v0/models") return body;
      for (const item of (body as { data: { id: string; state: string }[] }).data) if (item.id === "meta-llama-3.1-8b-instruct") item.state = "loaded";
      return body;
    };
    const { cert } = await mutate("mac-studio-2", { rewrite: stuckInV0 }, { standard: { lifecycle: { model: null, loadTimeoutSeconds: 0.5, allowDuplicateInstances: false } } });
    expect(check(cert, "lifecycle.load").status).toBe("passed");
    const record = check(cert, "lifecycle.unload");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(/unloaded meta-llama-3\.1-8b-instruct, but rest-v0 says meta-llama-3\.1-8b-instruct is loaded/);
  });

  it("a load that returns 500 fails lifecycle.load with the host's answer", async () => {
    const { cert } = await mutate("mac-studio-1", { faults: [{ fault: { kind: "status", status: 500 }, paths: ["/api/v1/models/load"] }] });
    const record = check(cert, "lifecycle.load");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(/was refused: POST \/api\/v1\/models\/load answered HTTP 500/);
  });

  it("a load that outlives the deadline is an error, and restore still unloads it once it lands", async () => {
    // 0.9 s stays on exact timers (undici times anything over 1 s coarsely); the load lands 0.4 s after lmcert gives
    // up and 0.5 s before restore stops waiting for it: margins that hold on a busy machine.
    const standard = { lifecycle: { model: null, loadTimeoutSeconds: 0.9, allowDuplicateInstances: false } };
    const { cert } = await mutate("mac-studio-1", { loadLatencyMs: 1_300 }, { standard });
    const record = check(cert, "lifecycle.load");
    expect(record.status).toBe("error");
    expect(record.reason).toMatch(/did not complete: No complete response within 900 ms/);
    expect(cert.mutations.restore).toBe("restored");
  });

  it("a server that dies mid-lifecycle: errors, never passes, and the failed restore is reported loudly", async () => {
    let mock: RunningMock | undefined;
    mock = await mockHost("mac-studio-1", {
      onRequest: (method, path) => {
        if (method === "POST" && path === "/api/v1/models/load") setImmediate(() => void mock?.close());
      },
    });
    const cert = await certify(mock.url, { allowMutations: true, timeoutMs: 500 });
    expect(check(cert, "lifecycle.load").status).toBe("error");
    expect(cert.mutations.restore).toBe("failed");
    expect(cert.mutations.detail).toMatch(/^RESTORE FAILED/);
  });
});

describe("models and memory", () => {
  it("models.required-present passes, fails naming what is missing, and is inconclusive where nothing states availability", async () => {
    const url = (await mockHost("mac-studio-1")).url;
    expect(check(await certify(url, { standard: { models: { required: ["qwen2.5-0.5b-instruct"] } } }), "models.required-present").status).toBe("passed");
    const missing = check(await certify(url, { standard: { models: { required: ["qwen2.5-0.5b-instruct", "mistral-7b"] } } }), "models.required-present");
    expect([missing.status, missing.reason, missing.remedy]).toEqual(["failed", "missing: mistral-7b", "lms get mistral-7b"]);
    const old = (await mockHost("mac-studio-1", { version: "0.3.20", sdk: false })).url;
    expect(check(await certify(old, { standard: { models: { required: ALL_MODELS } } }), "models.required-present").status).toBe("inconclusive");
  });

  it("memory.within-budget sums loaded instances against the budget", async () => {
    const url = (await mockHost("mac-studio-1")).url;
    expect(check(await certify(url, { standard: { memory: { maxLoadedBytes: 1_000_000_000 } } }), "memory.within-budget").status).toBe("passed");
    const over = check(await certify(url, { standard: { memory: { maxLoadedBytes: 100_000_000 } } }), "memory.within-budget");
    expect([over.status, over.observed["loadedBytes"]]).toEqual(["failed", 481_914_560]);
    const old = (await mockHost("mac-studio-1", { version: "0.3.20" })).url;
    expect(check(await certify(old, { standard: { memory: { maxLoadedBytes: 1 } } }), "memory.within-budget").status).toBe("inconclusive");
  });

  it("memory.over-budget-refused passes when the guardrail refuses and nothing is evicted, and is inconclusive with room to spare", async () => {
    const refused = check((await mutate("mac-studio-1", { memoryCapacityBytes: 6_000_000_000 })).cert, "memory.over-budget-refused");
    expect(refused.status).toBe("passed");
    expect(refused.observed).toMatchObject({ model: "google/gemma-3-12b", refused: true, evicted: [] });
    expect(check((await mutate("mac-studio-1")).cert, "memory.over-budget-refused").status).toBe("inconclusive");
    const wrongError = await mutate("mac-studio-1", { faults: [{ fault: { kind: "status", status: 500 }, paths: ["/api/v1/models/load"] }] });
    const failed = check(wrongError.cert, "memory.over-budget-refused");
    expect([failed.status, failed.reason]).toEqual(["failed", expect.stringMatching(/refused, but not with LM Studio's guardrail error/)]);
  });
});

describe("the listing tie-breaker (--allow-mutations)", () => {
  const everything = ALL_MODELS.map((model) => ({ model }));
  it("decides an indeterminate host by unloading one model, and restores it", async () => {
    const ms1 = check((await mutate("mac-studio-1", { loaded: everything })).cert, "listing.matches-standard");
    expect([ms1.status, ms1.observed["behaviour"]]).toEqual(["passed", "loaded-only"]);
    expect(ms1.observed["tieBreak"]).toBe("tie broken: unloaded qwen2.5-0.5b-instruct, then restored");
    const ms2 = check((await mutate("mac-studio-2", { loaded: everything })).cert, "listing.matches-standard");
    expect([ms2.status, ms2.observed["behaviour"]]).toEqual(["failed", "all-available"]);
  });

  it("stays inconclusive without --allow-mutations", async () => {
    const record = check(await certify((await mockHost("mac-studio-1", { loaded: everything })).url), "listing.matches-standard");
    expect([record.status, record.observed["tieBreak"]]).toEqual(["inconclusive", null]);
  });
});
