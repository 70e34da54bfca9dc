import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { contractIds, renderContractFile } from "../contracts/json-schema.ts";
import type { ContractId } from "../contracts/index.ts";
import { renderValidatorsModule } from "../contracts/render-validators.ts";
import { validateContract } from "../harness/schema-validator.ts";
import { parseStandard } from "../harness/standard-file.ts";

/** Vendored copy of ../shared/lmstudio-payloads, so a clone tests on its own; a test below keeps them identical. */
const PAYLOADS = join(import.meta.dirname, "..", "fixtures", "payloads");
const SHARED_PAYLOADS = join(import.meta.dirname, "..", "..", "shared", "lmstudio-payloads");

/**
 * Which contract each recorded payload must satisfy, by file-name prefix. `null` marks payloads of surfaces lmcert
 * does not certify (lms CLI output, chat/completions, downloads); every file must be listed either way.
 */
const PAYLOAD_CONTRACT: Record<string, ContractId | null> = {
  "error-auth-missing-token.": "lmstudio.error.RestV1",
  "error-openai-no-models-loaded.": "lmstudio.error.OpenAi",
  "error-unknown-endpoint-200.": "lmstudio.error.UnknownEndpoint",
  "v1-api-chat-sse-error-event.": "lmstudio.error.RestV1",
  "v0-models-get.": "lmstudio.v0.Model",
  "v0-models-list-jit-off-empty.": "lmstudio.v0.ModelList",
  "v0-models-list-jit-off-loaded.": "lmstudio.v0.ModelList",
  "v0-models-list.": "lmstudio.v0.ModelList",
  "v1-api-models-list.": "lmstudio.v1.ModelList",
  "v1-api-models-load.": "lmstudio.v1.LoadResponse",
  "v1-api-models-unload.": "lmstudio.v1.UnloadResponse",
  "v1-models-list-legacy-0.2.": "lmstudio.openai.ModelList",
  "v1-models-list.": "lmstudio.openai.ModelList",
  "v1-models-item.": null,
  "lms-": null,
  "v0-chat-completions.": null,
  "v0-completions.": null,
  "v1-api-chat-image.": null,
  "v1-api-chat-mcp.": null,
  "v1-api-models-download": null,
};

function contractFor(file: string): ContractId | null | undefined {
  const prefix = Object.keys(PAYLOAD_CONTRACT).find((p) => file.startsWith(p));
  return prefix === undefined ? undefined : PAYLOAD_CONTRACT[prefix];
}

describe("contracts", () => {
  it("committed JSON Schemas in contracts/json are in sync with the zod sources (npm run contracts:json)", () => {
    const dir = join(import.meta.dirname, "..", "contracts", "json");
    const committed = readdirSync(dir).filter((f) => f.endsWith(".schema.json")).sort();
    expect(committed).toEqual(contractIds().map((id) => `${id}.schema.json`).sort());
    for (const id of contractIds()) {
      expect(readFileSync(join(dir, `${id}.schema.json`), "utf8"), `${id} is stale`).toBe(renderContractFile(id));
    }
  });

  it("the committed precompiled validators (contracts/json/validators.js) are in sync (npm run contracts:json)", () => {
    // Generation compiles every schema with ajv's meta-schema check on, so this also proves the schemas valid.
    const committed = readFileSync(join(import.meta.dirname, "..", "contracts", "json", "validators.js"), "utf8");
    expect(committed === renderValidatorsModule(), "contracts/json/validators.js is stale: run npm run contracts:json").toBe(true);
  });

  it("the generated schemas use only standard formats, so ajv warns of nothing while compiling them (a zod startsWith gave 'starts_with')", () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(" ")));
    try {
      renderValidatorsModule();
    } finally {
      spy.mockRestore();
    }
    expect(warnings.filter((w) => /unknown format/.test(w))).toEqual([]);
    const formats = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) k === "format" && typeof x === "string" ? formats.add(x) : walk(x);
    };
    contractIds().forEach((id) => walk(JSON.parse(renderContractFile(id))));
    const standard = ["date-time", "date", "time", "duration", "email", "hostname", "ipv4", "ipv6", "uri", "uri-reference", "uuid", "regex", "json-pointer"];
    expect([...formats].filter((f) => !standard.includes(f))).toEqual([]);
  });

  const payloadFiles = readdirSync(PAYLOADS).filter((f) => f.endsWith(".json"));
  it.each(payloadFiles)("recorded payload %s validates against its contract", (file) => {
    const contract = contractFor(file);
    expect(contract, `${file} has no entry in PAYLOAD_CONTRACT`).not.toBeUndefined();
    if (!contract) return;
    const report = validateContract(contract, JSON.parse(readFileSync(join(PAYLOADS, file), "utf8")));
    expect(report.issues).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it.skipIf(!existsSync(SHARED_PAYLOADS))("fixtures/payloads is identical to the shared recorded payloads (skipped when ../shared is absent)", () => {
    const shared = readdirSync(SHARED_PAYLOADS).sort();
    expect(readdirSync(PAYLOADS).sort()).toEqual(shared);
    for (const file of shared) expect(readFileSync(join(PAYLOADS, file), "utf8"), file).toBe(readFileSync(join(SHARED_PAYLOADS, file), "utf8"));
  });

  it("a single /v1/models item from the bug tracker matches the list item shape", () => {
    const item = JSON.parse(readFileSync(join(PAYLOADS, "v1-models-item.bugtracker-2139.json"), "utf8"));
    expect(validateContract("lmstudio.openai.ModelList", { object: "list", data: [item] }).valid).toBe(true);
  });

  it("extra fields are drift, reported with their path, not failure (legacy 0.2 `permission`)", () => {
    const legacy = JSON.parse(readFileSync(join(PAYLOADS, "v1-models-list-legacy-0.2.systemsculpt-issue-58.json"), "utf8"));
    const report = validateContract("lmstudio.openai.ModelList", legacy);
    expect(report.valid).toBe(true);
    expect(report.drift).toEqual(["/data/0/permission"]);
  });

  it("violations carry precise instance paths", () => {
    const report = validateContract("lmstudio.v1.ModelList", { models: [{ key: "x", loaded_instances: [{ id: 3 }] }] });
    expect(report.valid).toBe(false);
    expect(report.issues.map((i) => i.path)).toContain("/models/0/loaded_instances/0/id");
  });

  it("a standard file with a bad field is rejected naming the field", () => {
    expect(() => parseStandard("standard: s\nversion: 1\nlisting: loaded\n", "team.yaml")).toThrow(/team\.yaml.*\n.*listing/);
    expect(() => parseStandard("standard: s\nversion: 1\nlistng: loaded-only\n", "team.yaml")).toThrow(/listng/);
    expect(() => parseStandard("standard: s\nversion: 1\nbind: { port: 99999 }\n", "team.yaml")).toThrow(/bind\.port/);
    expect(() => parseStandard("standard: [\n", "team.yaml")).toThrow(/team\.yaml is not valid YAML:\nteam\.yaml:2:1: /);
  });

  it("the sample standard and inventory validate against their published schemas", () => {
    const fixtures = join(import.meta.dirname, "..", "fixtures");
    const standard = parseYaml(readFileSync(join(fixtures, "standards", "cluster-standard.yaml"), "utf8"));
    const inventory = parseYaml(readFileSync(join(fixtures, "inventories", "sample-fleet.yaml"), "utf8"));
    expect(validateContract("lmcert.Standard", standard).issues).toEqual([]);
    expect(validateContract("lmcert.Inventory", inventory).issues).toEqual([]);
    expect(validateContract("lmcert.Inventory", { servers: [{ name: "a", url: "http://x", token: "secret" }] }).issues).toContainEqual({
      path: "/servers/0",
      message: 'unknown field "token"',
    });
  });

  it("a minimal standard gets the documented defaults", () => {
    expect(parseStandard("standard: team\nversion: 2\n", "x.yaml")).toEqual({
      standard: "team",
      version: 2,
      listing: "loaded-only",
      cors: "any-origin",
      bind: { address: "0.0.0.0", port: 1234 },
      auth: "none",
      models: { required: [] },
      memory: { maxLoadedBytes: null },
      lifecycle: { model: null, loadTimeoutSeconds: 120, allowDuplicateInstances: false },
    });
  });
});
