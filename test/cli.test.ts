/** The CLI as users run it: `npx lmcert mock` in one process, `npx lmcert certify` in another. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it, onTestFinished } from "vitest";
import { validateContract } from "../harness/schema-validator.ts";
import { runCli } from "./helpers/cli.ts";
import { LAN_STAND_IN } from "./helpers/hosts.ts";

const BIN = join(import.meta.dirname, "..", "bin", "lmcert.js");

/** Starts `lmcert mock` as its own process on a free port, serving on 0.0.0.0, and returns its loopback URL. */
async function spawnMock(presetName: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [BIN, "mock", "--preset", presetName, "--port", "0", "--host", "0.0.0.0", ...extra], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  onTestFinished(() => {
    child.kill("SIGINT");
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /listening on http:\/\/0\.0\.0\.0:(\d+)/.exec(line);
    if (match?.[1]) return `http://127.0.0.1:${match[1]}`;
  }
  throw new Error("lmcert mock exited before listening");
}

/** The built-in standard, but with the mock's ephemeral port (a real fleet uses 1234). */
function standardFor(url: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "lmcert-std-")), "standard.yaml");
  writeFileSync(file, `standard: cluster-standard\nversion: 1\nbind: { address: 0.0.0.0, port: ${new URL(url).port} }\n`);
  return file;
}

/** Flags every test certify run uses: no traffic beyond loopback, and no browser (it has its own tests). */
function testFlags(url: string): string[] {
  return ["--standard", standardFor(url), "--probe-address", LAN_STAND_IN, "--no-browser"];
}

function runBin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("lmcert mock version profiles (issue 11)", () => {
  it("--lmstudio-version 0.4.2 --auth-token-env answers a request without the token with HTTP 200 \"Unexpected endpoint\"", async () => {
    const token = "sk-lm-Ab12Cd34:Ef56Gh78Ij90Kl12Mn34";
    const url = await spawnMock("compliant", ["--lmstudio-version", "0.4.2", "--auth-token-env", "MOCK_TOKEN", "--cors-origin", "echo"], { ...process.env, MOCK_TOKEN: token });
    const anonymous = await fetch(`${url}/v1/models`);
    expect([anonymous.status, await anonymous.json()]).toEqual([200, { error: "Unexpected endpoint or method. (GET /v1/models)" }]);
    const authed = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${token}`, origin: "http://example.test" } });
    expect([authed.status, authed.headers.get("access-control-allow-origin")]).toEqual([200, "http://example.test"]);
  });
});

describe("lmcert mock --auth-token-env before LM Studio 0.4 (issue 11 review)", () => {
  it("is a usage error (exit 2) naming the version rule, and no mock starts: 0.3.x has no Require Authentication", async () => {
    process.env["LMCERT_TEST_MOCK_TOKEN"] = "sk-lm-Ab12Cd34:Ef56Gh78Ij90Kl12Mn34";
    onTestFinished(() => void delete process.env["LMCERT_TEST_MOCK_TOKEN"]);
    for (const version of ["0.3.5", "0.3.20"]) {
      const r = await runCli(["mock", "--lmstudio-version", version, "--auth-token-env", "LMCERT_TEST_MOCK_TOKEN", "--port", "0", "--host", "127.0.0.1"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--auth-token-env: LM Studio ${version} has no Require Authentication (API tokens arrived in 0.4.0)`);
      expect(r.stdout).not.toMatch(/Require Authentication on|listening on/);
    }
    expect((await runCli(["mock", "--help"])).stdout).toMatch(/--auth-token-env <VAR> .*0\.4\.0 and\s+later only/);
  });
});

describe("lmcert certify against `lmcert mock`", () => {
  it("mac-studio-1 is certified (exit 0); --json prints only a certificate that validates against its schema", async () => {
    const url = await spawnMock("mac-studio-1");
    const r = await runBin(["certify", url, "--json", "--name", "mac-studio-1", ...testFlags(url)]);
    expect(r.code).toBe(0);
    const certificate = JSON.parse(r.stdout);
    const report = validateContract("lmcert.Certificate", certificate);
    expect(report.issues).toEqual([]);
    expect(certificate.verdict).toBe("certified");
    expect(r.stderr).toMatch(/✔ passed\s+listing\.matches-standard/);
  });

  it("mac-studio-2 fails listing.matches-standard with behaviour all-available (exit 1)", async () => {
    const url = await spawnMock("mac-studio-2");
    const out = mkdtempSync(join(tmpdir(), "lmcert-out-"));
    const r = await runBin(["certify", url, "--json", "--out", out, "--name", "mac-studio-2", ...testFlags(url)]);
    expect(r.code).toBe(1);
    const certificate = JSON.parse(r.stdout);
    const listing = certificate.checks.find((c: { id: string }) => c.id === "listing.matches-standard");
    expect([listing.status, listing.observed.behaviour]).toEqual(["failed", "all-available"]);
    expect(r.stderr).toMatch(/fix: In LM Studio: Developer → Server Settings → turn off "Just-in-Time Model Loading"/);
    const files = readdirSync(join(out, "mac-studio-2"));
    expect(files).toContain("latest.json");
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, "mac-studio-2", "latest.json"), "utf8"))).toEqual(certificate);
  });
});

describe("lmcert demo and the catalogue", () => {
  it("demo certifies Mac Studio 1, fails Mac Studio 2 on listing, explains the fix, and exits 0", async () => {
    const out = mkdtempSync(join(tmpdir(), "lmcert-demo-"));
    const r = await runCli(["demo", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mac-studio-1[\s\S]*verdict: CERTIFIED/);
    expect(r.stdout).toMatch(/mac-studio-2[\s\S]*✖ failed\s+listing\.matches-standard\s+all-available/);
    expect(r.stdout).toMatch(/mac-studio-2: .*\n.*readModelState\(\) → loaded \[qwen2\.5-0\.5b-instruct, text-embedding-nomic-embed-text-v1\.5\]/);
    expect(r.stdout).toMatch(/To certify mac-studio-2: In LM Studio: Developer → Server Settings → turn off/);
    // The fix names the models the host serves, not a `<model>` placeholder.
    expect(r.stdout).toMatch(/To certify mac-studio-2: .*`lms load qwen2\.5-0\.5b-instruct && lms load text-embedding-nomic-embed-text-v1\.5`/);
    expect(r.stdout).not.toContain("<model>");
    expect(r.stdout).toMatch(/Fleet consistency: GET \/v1\/models means different things across the fleet: mac-studio-1 lists loaded-only; mac-studio-2 lists all-available/);
    expect(existsSync(join(out, "mac-studio-1", "latest.json"))).toBe(true);
    expect(existsSync(join(out, "mac-studio-2", "latest.json"))).toBe(true);
  });

  it("checks lists the catalogue with ids, required flags and MUSTs", async () => {
    const r = await runCli(["checks", "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; required: boolean }[];
    expect(rows.map((row) => row.id)).toEqual([
      "health.greeting",
      "surfaces.discovered",
      "schema.openai-models",
      "schema.rest-v0-models",
      "schema.rest-v1-models",
      "state.authoritative-surface",
      "listing.matches-standard",
      "listing.consistent-across-surfaces",
      "cors.preflight",
      "cors.actual-request",
      "cors.private-network",
      "cors.browser",
      "cors.disabled",
      "bind.port",
      "bind.reachable-off-loopback",
      "bind.all-interfaces",
      "auth.required",
      "auth.token-accepted",
      "auth.not-required",
      "models.required-present",
      "memory.within-budget",
      "memory.over-budget-refused",
      "inference.loaded-model-answers",
      "inference.no-model-substitution",
      "lifecycle.load",
      "lifecycle.unload",
      "lifecycle.no-implicit-load",
      "lifecycle.no-duplicate-instances",
      "contract.pact-verified",
      "config.local-settings",
    ]);
    expect(rows.find((row) => row.id === "listing.matches-standard")?.required).toBe(true);
  });

  it("--help tells the truth about every command", async () => {
    const main = await runCli(["--help"]);
    expect(main.code).toBe(0);
    for (const command of ["certify", "checks", "demo", "mock", "restore", "fleet", "verify", "keygen", "diff", "pact"]) {
      expect(main.stdout).toContain(command);
      const help = await runCli([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: lmcert ${command}`));
      expect(help.code).toBe(0);
    }
  });
});
