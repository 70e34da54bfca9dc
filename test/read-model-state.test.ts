import { describe, expect, it } from "vitest";
import { ModelStateUnavailableError, readModelState } from "../index.ts";
import { mockHost } from "./helpers/hosts.ts";

const LOADED = ["qwen2.5-0.5b-instruct", "text-embedding-nomic-embed-text-v1.5"];
const ALL = ["google/gemma-3-12b", "meta-llama-3.1-8b-instruct", ...LOADED].sort();

describe("readModelState", () => {
  it("returns the same loaded set on a JIT-off and a JIT-on host, where /v1/models differs", async () => {
    const ms1 = await readModelState((await mockHost("mac-studio-1")).url);
    const ms2 = await readModelState((await mockHost("mac-studio-2")).url);
    for (const state of [ms1, ms2]) {
      expect(state.source).toBe("rest-v1");
      expect(state.loaded).toEqual(LOADED);
      expect(state.available).toEqual(ALL);
    }
  });

  it("lists each loaded instance, including a second `:2` instance", async () => {
    const mock = await mockHost("mac-studio-1", { loaded: [{ model: "qwen2.5-0.5b-instruct" }, { model: "qwen2.5-0.5b-instruct" }] });
    const state = await readModelState(mock.url);
    expect(state.loaded).toEqual(["qwen2.5-0.5b-instruct"]);
    expect(state.instances).toEqual([
      { id: "qwen2.5-0.5b-instruct", model: "qwen2.5-0.5b-instruct" },
      { id: "qwen2.5-0.5b-instruct:2", model: "qwen2.5-0.5b-instruct" },
    ]);
  });

  it("uses rest-v0 on 0.3.x; with JIT off and no SDK it says `available` is unknown rather than guessing", async () => {
    const jitOff = await readModelState((await mockHost("mac-studio-1", { version: "0.3.20", sdk: false })).url);
    expect(jitOff).toMatchObject({ source: "rest-v0", loaded: LOADED, available: null });
    expect(jitOff.notes.join()).toMatch(/follows JIT/);
    const jitOn = await readModelState((await mockHost("mac-studio-2", { version: "0.3.20" })).url);
    expect(jitOn).toMatchObject({ source: "rest-v0", loaded: LOADED, available: ALL });
  });

  it("refuses to read /v1/models without a declared standard (it cannot know what the list means)", async () => {
    const mock = await mockHost("mac-studio-2", { version: "0.3.5", sdk: false });
    await expect(readModelState(mock.url)).rejects.toThrow(ModelStateUnavailableError);
    await expect(readModelState(mock.url)).rejects.toThrow(/declare `standard`/);
  });

  it("falls back to /v1/models only with a declared standard, and reports what it cannot know", async () => {
    const loadedOnly = await readModelState((await mockHost("mac-studio-1", { version: "0.3.5", sdk: false })).url, { standard: "loaded-only" });
    expect(loadedOnly).toMatchObject({ source: "openai", loaded: LOADED, available: null });
    const allAvailable = await readModelState((await mockHost("mac-studio-2", { version: "0.3.5", sdk: false })).url, {
      standard: { listing: "all-available" },
    });
    expect(allAvailable).toMatchObject({ source: "openai", loaded: null, available: ALL });
  });

  it("sends the token to hosts that require one, and fails clearly without it", async () => {
    const mock = await mockHost("mac-studio-2", { authToken: "sk-lm-abc:def" });
    await expect(readModelState(mock.url)).rejects.toThrow(/HTTP 401: the host requires an API token/);
    expect((await readModelState(mock.url, { token: "sk-lm-abc:def" })).loaded).toEqual(LOADED);
  });

  it("never falls back to guessing when the state surface is broken", async () => {
    const mock = await mockHost("mac-studio-2", { faults: [{ fault: { kind: "status", status: 500 }, paths: ["/api/v1/models"] }] });
    await expect(readModelState(mock.url)).rejects.toThrow(/HTTP 500/);
  });
});
