/**
 * Consumer-driven contract: what the cluster router (readModelState, loadModel, unloadModel) needs from LM Studio.
 * Consumer tests write the pact first; provider verification then runs it against mock hosts, in this one file
 * so the order is guaranteed.
 */
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MatchersV3, PactV4 } from "@pact-foundation/pact";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { PACT_CONSUMER, PACT_FILE, PACT_PROVIDER, PACT_STATES, PACT_VALUES } from "../contracts/pact-states.ts";
import { RestV0ModelList } from "../contracts/lmstudio/rest-v0-models.ts";
import { loadModel, readModelState, unloadModel } from "../index.ts";
import { runCli } from "./helpers/cli.ts";
import { mockHost } from "./helpers/hosts.ts";
import { DEFAULT_CATALOGUE } from "../fixtures/mock/catalogue.ts";
import type { RunningMock } from "../fixtures/mock/server.ts";

process.env["PACT_DO_NOT_TRACK"] = "true";
const { eachLike, equal, integer, number, string, like, arrayContaining, fromProviderState } = MatchersV3;
const ROOT = join(import.meta.dirname, "..");
/** The consumer's example model. The provider injects the model the host really has in its place. */
const MODEL = "qwen2.5-0.5b-instruct";
const injectedModel = () => fromProviderState(`\${${PACT_VALUES.model}}`, MODEL);
const injectedInstance = () => fromProviderState(`\${${PACT_VALUES.instanceId}}`, MODEL);

const pact = new PactV4({ consumer: PACT_CONSUMER, provider: PACT_PROVIDER, dir: join(ROOT, "contracts", "pacts"), logLevel: "error" });

/** A /api/v1/models entry with every field readModelState's contract requires. */
const v1Model = (loaded: boolean) => ({
  type: string("llm"),
  publisher: string("lmstudio-community"),
  key: injectedModel(),
  display_name: string("Qwen2.5 0.5B Instruct"),
  quantization: like({ name: "Q4_K_M", bits_per_weight: 4 }),
  size_bytes: integer(397807936),
  params_string: string("0.5B"),
  loaded_instances: loaded ? eachLike({ id: injectedInstance(), config: like({ context_length: 4096 }) }) : [],
  max_context_length: integer(32768),
  format: string("gguf"),
});

describe("consumer: the cluster router", () => {
  beforeAll(() => {
    // Pact files merge across runs: start clean so removed interactions do not linger.
    rmSync(join(ROOT, PACT_FILE), { force: true });
  });

  it("reads loaded models from /api/v1/models loaded_instances", async () => {
    await pact
      .addInteraction()
      .given(PACT_STATES.modelLoaded, { model: MODEL })
      .uponReceiving("a request for the v1 model list while the model is loaded")
      .withRequest("GET", "/api/v1/models")
      // arrayContaining: this model must be there with its instance; other downloads may be listed too.
      .willRespondWith(200, (b) => b.headers({ "content-type": "application/json; charset=utf-8" }).jsonBody({ models: arrayContaining(v1Model(true)) }))
      .executeTest(async (server) => {
        // Pact reports its own mismatch first and hides this error; print it, for a failure that only shows in CI.
        const state = await readModelState(server.url).catch((error: unknown) => {
          console.error(`readModelState(${server.url}) failed against the Pact mock:`, error);
          throw error;
        });
        expect(state.source).toBe("rest-v1");
        expect(state.loaded).toContain(MODEL);
      });
  });

  it("finds `state` on every /api/v0/models item", async () => {
    await pact
      .addInteraction()
      .given(PACT_STATES.modelLoaded, { model: MODEL })
      .uponReceiving("a request for the v0 model list")
      .withRequest("GET", "/api/v0/models")
      .willRespondWith(200, (b) =>
        b.headers({ "content-type": "application/json; charset=utf-8" }).jsonBody({
          object: equal("list"),
          data: eachLike({
            id: string(MODEL),
            object: equal("model"),
            type: string("llm"),
            publisher: string("lmstudio-community"),
            arch: string("qwen2"),
            compatibility_type: string("gguf"),
            quantization: string("Q4_K_M"),
            state: string("loaded"),
            max_context_length: integer(32768),
          }),
        }),
      )
      .executeTest(async (server) => {
        const body = await (await fetch(`${server.url}/api/v0/models`)).json();
        expect(RestV0ModelList.parse(body).data.every((m) => m.state === "loaded" || m.state === "not-loaded")).toBe(true);
      });
  });

  it("on a loaded-only host, /v1/models lists exactly the loaded instances", async () => {
    await pact
      .addInteraction()
      .given(PACT_STATES.onlyModelLoaded, { model: MODEL })
      .uponReceiving("a request for /v1/models on a loaded-only host with one model loaded")
      .withRequest("GET", "/v1/models")
      .willRespondWith(200, (b) =>
        b.headers({ "content-type": "application/json; charset=utf-8" }).jsonBody({
          // A literal one-element array: exactly the loaded instance, nothing that is merely downloaded.
          data: [{ id: injectedInstance(), object: equal("model"), owned_by: string("organization_owner") }],
          object: equal("list"),
        }),
      )
      .executeTest(async (server) => {
        // The router's original reading, which is only right on a loaded-only host: listed = loaded.
        const body = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] };
        expect(new Set(body.data.map((m) => m.id))).toEqual(new Set([MODEL]));
      });
  });

  it("load returns an instance_id, and unload takes it", async () => {
    await pact
      .addInteraction()
      .given(PACT_STATES.modelNotLoaded, { model: MODEL })
      .uponReceiving("a request to load the model")
      .withRequest("POST", "/api/v1/models/load", (b) => b.jsonBody({ model: injectedModel() }))
      .willRespondWith(200, (b) =>
        b.headers({ "content-type": "application/json; charset=utf-8" }).jsonBody({
          type: string("llm"),
          instance_id: string(MODEL),
          load_time_seconds: number(1.5),
          status: equal("loaded"),
        }),
      )
      .executeTest(async (server) => {
        expect((await loadModel(server.url, MODEL)).instanceId).toBe(MODEL);
      });
    await pact
      .addInteraction()
      .given(PACT_STATES.modelLoaded, { model: MODEL })
      .uponReceiving("a request to unload the model")
      .withRequest("POST", "/api/v1/models/unload", (b) => b.jsonBody({ instance_id: injectedInstance() }))
      .willRespondWith(200, (b) => b.headers({ "content-type": "application/json; charset=utf-8" }).jsonBody({ instance_id: string(MODEL) }))
      .executeTest(async (server) => {
        await unloadModel(server.url, MODEL);
      });
    expect(existsSync(join(ROOT, PACT_FILE))).toBe(true);
  });
});

describe("provider verification: lmcert pact verify", () => {
  const loadedIds = (mock: RunningMock) => mock.state.instances.map((i) => i.id).sort();

  it("passes against the compliant mock, in real provider states, restores the host, and says it passed", async () => {
    const mock = await mockHost("compliant");
    const before = loadedIds(mock);
    // From another folder, as `npx lmcert pact verify` is run: the shipped contract is found in the package.
    const cwd = process.cwd();
    process.chdir(tmpdir());
    onTestFinished(() => process.chdir(cwd));
    const r = await runCli(["pact", "verify", mock.url, "--allow-mutations"]);
    process.chdir(cwd);
    expect(r.stderr).toMatch(/✔ passed\s+contract\.pact-verified.* every interaction/);
    expect(r.code).toBe(0);
    // The states were really set up: the "not loaded" state unloaded the model before the load interaction.
    expect(mock.requests.filter((q) => q.path === "/api/v1/models/unload").length).toBeGreaterThan(0);
    expect(loadedIds(mock)).toEqual(before);
    // Honest output: the run ends saying it passed; the 26 checks this command does not run are not listed.
    expect(r.stderr.trimEnd().split("\n").at(-1)).toMatch(/PASSED: the router's contract holds on http:\/\/127\.0\.0\.1:\d+$/);
    expect(r.stderr).not.toMatch(/INCOMPLETE|not selected/);
    // Pact's own report is on stdout, without colour codes (this stream is not a TTY).
    expect(r.stdout).toMatch(/Verifying a pact between lmcert-cluster-router and lmstudio/);
    expect(r.stdout).not.toContain("\u001b[");
  }, 60_000);

  it("passes on a loaded-only host without the contract's example model: the host's own model is injected", async () => {
    const catalogue = DEFAULT_CATALOGUE.filter((m) => m.key !== MODEL);
    const mock = await mockHost("compliant", { catalogue, loaded: [{ model: "meta-llama-3.1-8b-instruct" }, { model: "text-embedding-nomic-embed-text-v1.5" }] });
    const before = loadedIds(mock);
    const r = await runCli(["pact", "verify", mock.url, "--allow-mutations"]);
    // The lifecycle checks' rule: the smallest downloaded LLM that is not loaded. The unload interaction passes
    // only if the verifier sent this model's real instance id, so a pass proves the value was injected.
    expect(r.stderr).toMatch(/✔ passed\s+contract\.pact-verified.* \(model google\/gemma-3-12b\)/);
    expect(r.code).toBe(0);
    expect(loadedIds(mock)).toEqual(before);
    // --lifecycle-model picks the model the states use, here one that is already loaded.
    const chosen = await runCli(["pact", "verify", mock.url, "--allow-mutations", "--lifecycle-model", "meta-llama-3.1-8b-instruct"]);
    expect(chosen.stderr).toMatch(/\(model meta-llama-3\.1-8b-instruct\)/);
    expect(chosen.code).toBe(0);
    expect(loadedIds(mock)).toEqual(before);
  }, 60_000);

  it("verifies a host with Require Authentication through --token-env, and prints no token", async () => {
    const token = "sk-lm-PactTest:Z9y8X7w6V5u4T3s2R1q0";
    const mock = await mockHost("compliant", { authToken: token });
    process.env["LMCERT_TEST_PACT_TOKEN"] = token;
    onTestFinished(() => void delete process.env["LMCERT_TEST_PACT_TOKEN"]);
    const r = await runCli(["pact", "verify", mock.url, "--allow-mutations", "--token-env", "LMCERT_TEST_PACT_TOKEN"]);
    expect(r.stderr).toMatch(/PASSED: the router's contract holds/);
    expect(r.code).toBe(0);
    // The verifier really sent it: without the token every interaction gets LM Studio's 401.
    expect(mock.requests.filter((q) => q.path === "/api/v0/models").every((q) => q.headers["authorization"] === `Bearer ${token}`)).toBe(true);
    for (const part of [token, "PactTest", "Z9y8X7w6V5u4T3s2R1q0"]) expect(r.stdout + r.stderr).not.toContain(part);
  }, 60_000);

  it("fails against mac-studio-2 (JIT on), naming the loaded-only interaction; Pact's report is captured", async () => {
    const mock = await mockHost("mac-studio-2");
    const before = loadedIds(mock);
    const r = await runCli(["pact", "verify", mock.url, "--allow-mutations"]);
    expect(r.code).toBe(1);
    // The check is optional in a certificate (a warning there); this command is about it, so its last line says FAILED.
    expect(r.stderr).toMatch(/contract\.pact-verified\s+\(optional, failed\) 1 interaction\(s\) failed/);
    expect(r.stderr).toMatch(/Given only this model is loaded - a request for \/v1\/models on a loaded-only host with one model loaded: \$\.data Expected a List with 1 elements but received 4 elements/);
    expect(r.stderr.trimEnd().split("\n").at(-1)).toMatch(/FAILED: the router's contract does not hold/);
    // The deliberate failure's report is asserted here, not printed by the test run.
    expect(r.stdout).toMatch(/has a matching body \(FAILED\)/);
    expect(loadedIds(mock)).toEqual(before);
  }, 60_000);

  it("a model the host cannot load: inconclusive, saying why, and nothing changed", async () => {
    const mock = await mockHost("compliant");
    const before = loadedIds(mock);
    const absent = await runCli(["pact", "verify", mock.url, "--allow-mutations", "--lifecycle-model", "no-such-model"]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/contract\.pact-verified\s+\(optional, inconclusive\) the host has no model "no-such-model" downloaded/);
    expect(absent.stderr.trimEnd().split("\n").at(-1)).toMatch(/NOT VERIFIED \(inconclusive\)/);
    // Downloaded but refused at load time (guardrails): the state's own error is reported, not Pact's generic one.
    const refusing = await mockHost("compliant", { memoryCapacityBytes: 1_000_000_000 });
    const refusingBefore = loadedIds(refusing);
    const r = await runCli(["pact", "verify", refusing.url, "--allow-mutations", "--lifecycle-model", "google/gemma-3-12b"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/provider state "(model is loaded|only this model is loaded)": .*HTTP/);
    expect(loadedIds(mock)).toEqual(before);
    expect(loadedIds(refusing)).toEqual(refusingBefore);
  }, 60_000);

  it("without --allow-mutations is a usage error (exit 2) that says why, and touches nothing", async () => {
    const mock = await mockHost("compliant");
    const r = await runCli(["pact", "verify", mock.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--allow-mutations is required/);
    expect(mock.requests).toEqual([]);
  });
});
