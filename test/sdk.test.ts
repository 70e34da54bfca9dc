/** The `sdk` surface and driver on LM Studio 0.3.x, with the real @lmstudio/sdk talking to the mock's websocket. */
import { describe, expect, it } from "vitest";
import { readModelState } from "../index.ts";
import { SdkClient } from "../harness/sdk/sdk-client.ts";
import { runCli } from "./helpers/cli.ts";
import { certify, check, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

const LOADED = ["qwen2.5-0.5b-instruct", "text-embedding-nomic-embed-text-v1.5"];

describe("the real @lmstudio/sdk against the mock", () => {
  it("lists, loads with a context length, and unloads", async () => {
    const mock = await mockHost("mac-studio-1", { version: "0.3.20" });
    const sdk = new SdkClient(mock.url, 3_000);
    try {
      expect(await sdk.version()).toEqual({ version: "0.3.20", build: 1 });
      expect((await sdk.loaded()).map((i) => i.id)).toEqual(LOADED);
      const id = await sdk.load("meta-llama-3.1-8b-instruct", "llm", { contextLength: 8192, timeoutMs: 3_000 });
      expect((await sdk.loaded()).find((i) => i.id === id)).toEqual({ id, model: "meta-llama-3.1-8b-instruct", contextLength: 8192 });
      await sdk.unload(id, "llm");
      expect(mock.state.instances.map((i) => i.id)).toEqual(LOADED);
    } finally {
      await sdk.close();
    }
  });

  it("a malformed reply would hang the SDK forever; the deadline turns it into an error", async () => {
    const mock = await mockHost("mac-studio-1", { version: "0.3.20", sdkMalformed: true });
    const sdk = new SdkClient(mock.url, 300);
    await expect(sdk.version()).rejects.toThrow(/SDK system\.version: no valid answer within 300 ms/);
    await expect(sdk.downloaded()).rejects.toThrow(/not attempted, the connection already failed/);
    await sdk.close();
  });
});

describe("the sdk state surface (0.3.x, JIT off)", () => {
  it("gives readModelState the available set that /api/v0 cannot", async () => {
    const state = await readModelState((await mockHost("mac-studio-1", { version: "0.3.20" })).url);
    expect(state.source).toBe("rest-v0");
    expect(state.available).toEqual(["google/gemma-3-12b", "meta-llama-3.1-8b-instruct", ...LOADED].sort());
    expect(state.notes.join()).toMatch(/from the SDK's listDownloadedModels/);
    expect((await readModelState((await mockHost("mac-studio-1", { version: "0.3.5" })).url)).source).toBe("sdk");
  });

  it("turns an indeterminate 0.3.x JIT-off host into a real verdict without mutation", async () => {
    const ms1 = await mockHost("mac-studio-1", { version: "0.3.20" });
    const record = check(await certify(ms1.url), "listing.matches-standard");
    expect([record.status, record.observed["behaviour"]]).toEqual(["passed", "loaded-only"]);
    expect(ms1.requests.filter((r) => r.path.startsWith("/api/v1/models/"))).toEqual([]);
    const consistent = check(await certify(ms1.url), "listing.consistent-across-surfaces");
    expect(consistent.reason).toMatch(/sdk listLoaded/);
    const ms2 = check(await certify((await mockHost("mac-studio-2", { version: "0.3.20" })).url), "listing.matches-standard");
    expect([ms2.status, ms2.observed["behaviour"]]).toEqual(["failed", "all-available"]);
  });

  it("a hung SDK is reported, not waited on: the run still finishes, undecided", async () => {
    const mock = await mockHost("mac-studio-1", { version: "0.3.20", sdkMalformed: true });
    const cert = await certify(mock.url, { timeoutMs: 300 });
    expect(check(cert, "surfaces.discovered").observed["surfaces"]).toMatchObject({ sdk: { state: "error" } });
    expect(check(cert, "listing.matches-standard").status).toBe("inconclusive");
  });
});

describe("lifecycle through the sdk driver (0.3.x has no REST load/unload)", () => {
  it("loads, unloads and restores through the SDK; the certificate names the driver", async () => {
    const mock = await mockHost("mac-studio-1", { version: "0.3.20", loadLatencyMs: 30 });
    const cert = await certify(mock.url, { allowMutations: true });
    for (const id of ["lifecycle.load", "lifecycle.unload", "lifecycle.no-implicit-load"]) expect([id, check(cert, id).status]).toEqual([id, "passed"]);
    expect(check(cert, "lifecycle.load").observed["driver"]).toBe("sdk");
    expect(cert.mutations).toMatchObject({ driver: "sdk", performed: true, restore: "restored" });
    expect(mock.state.instances.map((i) => i.id)).toEqual(LOADED);
  });

  it("`lmcert certify --allow-mutations` runs the suite on both driver paths and leaves the loaded set unchanged", async () => {
    for (const version of ["0.3.20", "0.4.6"]) {
      const mock = await mockHost("compliant", { version, dedupeLoads: true });
      const r = await runCli(["certify", mock.url, "--allow-mutations", "--json", "--no-browser", "--probe-address", LAN_STAND_IN, "--skip", "bind.port"]);
      const cert = JSON.parse(r.stdout);
      expect([version, cert.mutations.driver, cert.mutations.restore]).toEqual([version, version === "0.4.6" ? "rest-v1" : "sdk", "restored"]);
      expect(cert.checks.filter((c: { id: string; status: string }) => c.id.startsWith("lifecycle.") && c.status !== "passed")).toEqual([]);
      expect(mock.state.instances.map((i) => i.id)).toEqual(LOADED);
    }
  });
});
