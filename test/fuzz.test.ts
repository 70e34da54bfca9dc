/**
 * Property-based tests: generated standards, inventories, command lines and server payloads. Every case either
 * works or fails with exit 2 and a message naming the bad field; no stack trace ever reaches the user.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { UsageError } from "../harness/errors.ts";
import { loadInventory } from "../harness/fleet/inventory-file.ts";
import { parseStandard } from "../harness/standard-file.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/fleet.ts";
import { certify, mockHost } from "./helpers/hosts.ts";

const STACK = /\n\s+at .+\(.*:\d+:\d+\)/;

/** Values shaped like a standard, with every field sometimes wrong, missing or extra. */
const standardish = fc.record(
  {
    standard: fc.oneof(fc.string(), fc.integer(), fc.constant("team")),
    version: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.string(), fc.double()),
    listing: fc.oneof(fc.constantFrom("loaded-only", "all-available"), fc.string()),
    cors: fc.oneof(fc.constantFrom("any-origin", "disabled"), fc.boolean()),
    bind: fc.oneof(fc.record({ address: fc.string(), port: fc.oneof(fc.integer({ min: -5, max: 70_000 }), fc.string()) }, { requiredKeys: [] }), fc.string()),
    auth: fc.oneof(fc.constantFrom("none", "token"), fc.integer()),
    models: fc.oneof(fc.record({ required: fc.array(fc.oneof(fc.string(), fc.integer())) }), fc.constant(null)),
    memory: fc.record({ maxLoadedBytes: fc.oneof(fc.constant(null), fc.integer(), fc.string()) }),
    lifecycle: fc.record({ model: fc.oneof(fc.constant(null), fc.string()), loadTimeoutSeconds: fc.oneof(fc.double(), fc.string()) }, { requiredKeys: [] }),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

describe("fuzzed standard files", () => {
  it("parse, or fail with a UsageError naming the file and a field (1,000 cases)", () => {
    fc.assert(
      fc.property(fc.oneof(standardish.map((v) => toYaml(v)), fc.string()), (text) => {
        try {
          parseStandard(text, "team.yaml");
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          const message = (error as Error).message;
          expect(message).toMatch(/team\.yaml/);
          expect(message).not.toMatch(STACK);
          // Each problem: file, line and column where known, then the field: `  - team.yaml:4:3: bind.adress: …`
          if (/is invalid/.test(message)) expect(message).toMatch(/\n {2}- team\.yaml(:\d+:\d+)?: [^:\n]+: /);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("fuzzed inventories", () => {
  it("load, or fail with a UsageError naming the file, line or field (500 cases)", () => {
    const dir = tempDir();
    const server = fc.record(
      {
        name: fc.oneof(fc.constantFrom("a", "mac-studio-1", "a"), fc.string()),
        url: fc.oneof(fc.constant("http://127.0.0.1:1"), fc.string(), fc.webUrl()),
        tokenEnv: fc.oneof(fc.constant("LMCERT_FUZZ_UNSET"), fc.string()),
        lifecycleModel: fc.string(),
        surprise: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const inventory = fc.record({ servers: fc.oneof(fc.array(server, { maxLength: 4 }), fc.anything()), standard: fc.anything() }, { requiredKeys: [] });
    let i = 0;
    fc.assert(
      fc.property(fc.oneof(inventory.map((v) => toYaml(v)), fc.string()), (text) => {
        const path = join(dir, `inv-${i++}.yaml`);
        writeFileSync(path, text);
        try {
          loadInventory(path, { env: {} });
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message).toContain(path);
          expect((error as Error).message).not.toMatch(STACK);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("fuzzed command lines", () => {
  const word = fc.oneof(
    fc.constantFrom("--json", "--only", "--skip", "--timeout", "--standard", "--token-env", "--concurrency", "--key", "--strict", "--name", "--preset", "-h", "--", "=", "x"),
    fc.string({ maxLength: 12 }),
    fc.integer().map(String),
  );
  it("exit 0/1/2 with a message and never a stack trace (300 cases, loopback only)", async () => {
    const out = tempDir();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("certify", "checks", "verify", "diff", "fleet", "restore", "pact", "nonsense"), fc.array(word, { maxLength: 6 }), async (command, rest) => {
        // Never let a generated argument aim traffic anywhere but a closed loopback port, or write outside a temp dir.
        const args = rest.map((a) => (/^[a-z]+:\/\//i.test(a) || /^\d+\.\d+/.test(a) ? "http://127.0.0.1:1" : a));
        const argv = [command, ...args, ...(command === "certify" || command === "fleet" ? ["--out", out, "--no-browser", "--probe-address", "127.0.0.2", "--timeout", "200"] : [])];
        const r = await runCli(argv);
        expect([0, 1, 2]).toContain(r.code);
        expect(r.stderr).not.toMatch(STACK);
        expect(r.stderr).not.toMatch(/internal error/);
        if (r.code === 2) expect(r.stderr.trim().length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe("fuzzed server payloads", () => {
  it("random bodies on the model surfaces never crash the run and never certify a host whose state surfaces broke (150 cases)", async () => {
    const payload = fc.oneof(fc.anything(), fc.record({ data: fc.array(fc.anything()), object: fc.constant("list") }), fc.record({ models: fc.array(fc.anything()) }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/v1/models", "/api/v0/models", "/api/v1/models"), payload, async (path, body) => {
        const mock = await mockHost("compliant", { rewrite: (p, original) => (p === path ? body : original) });
        const cert = await certify(mock.url, { timeoutMs: 1_000 });
        const rewritten = cert.checks.find((c) => c.id === (path === "/v1/models" ? "schema.openai-models" : path === "/api/v0/models" ? "schema.rest-v0-models" : "schema.rest-v1-models"));
        if (rewritten?.status !== "passed") expect(cert.verdict).not.toBe("certified");
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
