/** After an upgrade: `lmcert diff` flags what changed; `certify --rerun-failed` reruns exactly what did not pass. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../contracts/certificate.ts";
import type { MockConfig } from "../fixtures/mock/config.ts";
import { certificateDigest } from "../harness/certificate.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir, writeInventory } from "./helpers/fleet.ts";
import { LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

const FAST = ["--json", "--no-browser", "--probe-address", LAN_STAND_IN, "--name", "mac-studio-1"];

async function certificateFile(dir: string, file: string, overrides: Partial<MockConfig>): Promise<string> {
  const mock = await mockHost("mac-studio-1", overrides);
  const r = await runCli(["certify", mock.url, ...FAST]);
  const path = join(dir, file);
  writeFileSync(path, r.stdout);
  return path;
}

describe("lmcert diff", () => {
  it("flags a simulated upgrade that flipped listing behaviour, the version and the schema; exit 1", async () => {
    const dir = tempDir();
    const before = await certificateFile(dir, "before.json", { version: "0.3.20" });
    const after = await certificateFile(dir, "after.json", {
      version: "0.3.21",
      jit: true,
      rewrite: (path, body) => (path === "/v1/models" ? { ...(body as object), created: 1 } : body),
    });
    const r = await runCli(["diff", before, after]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^mac-studio-1:\n {2}LM Studio 0\.3\.20 → 0\.3\.21\n/);
    expect(r.stdout).not.toMatch(/ $/m); // issue 12: no header line ends blank
    expect(r.stdout).toContain("listing behaviour loaded-only → all-available");
    expect(r.stdout).toContain("REGRESSION listing.matches-standard: passed → failed");
    expect(r.stdout).toContain("schema drift, new field: schema.openai-models: /created");
    expect(r.stdout.indexOf("REGRESSION")).toBeLessThan(r.stdout.indexOf("schema drift"));
    const json = JSON.parse((await runCli(["diff", before, after, "--json"])).stdout);
    expect(json.hosts[0].listingBehaviour).toEqual({ from: "loaded-only", to: "all-available" });
  });

  it("reports no regressions for identical runs (exit 0), and compares fleet summaries too", async () => {
    const dir = tempDir();
    const a = await certificateFile(dir, "a.json", {});
    const b = await certificateFile(dir, "b.json", {});
    const r = await runCli(["diff", a, b]);
    expect([r.code, r.stdout]).toEqual([0, "mac-studio-1: no changes\nno regressions\n"]);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{}");
    expect((await runCli(["diff", a, bad])).code).toBe(2);
  });
});

describe("lmcert diff judges changes with the reporters' severity model (review 12.1)", () => {
  type Edit = { status?: Certificate["checks"][number]["status"]; required?: boolean };
  /** A variant of a real certificate: some checks edited, optionally deselected or run with mutations. */
  function variant(base: Certificate, edits: Record<string, Edit>, run: Partial<Certificate["run"]> = {}): Certificate {
    const checks = base.checks.map((c) => (edits[c.id] ? { ...c, ...edits[c.id], reason: edits[c.id]?.status === "skipped" && run.skippedChecks?.includes(c.id) ? "not selected for this run (--only/--skip)" : c.reason } : c));
    const { digest: _d, ...body } = { ...base, run: { ...base.run, ...run }, checks };
    return { ...body, digest: certificateDigest(body) };
  }
  async function baseline(dir: string): Promise<Certificate> {
    const cert = JSON.parse(readFileSync(await certificateFile(dir, "base.json", {}), "utf8")) as Certificate;
    expect(cert.checks.find((c) => c.id === "lifecycle.no-duplicate-instances")).toMatchObject({ required: false, status: "skipped" });
    return cert;
  }
  const diff = async (dir: string, a: Certificate, b: Certificate) => {
    writeFileSync(join(dir, "a.json"), JSON.stringify(a));
    writeFileSync(join(dir, "b.json"), JSON.stringify(b));
    return runCli(["diff", join(dir, "a.json"), join(dir, "b.json")]);
  };

  it("without then with --allow-mutations: an optional check newly failing is a new warning (exit 0), not a regression", async () => {
    const dir = tempDir();
    const before = await baseline(dir);
    const after = variant(before, { "lifecycle.no-duplicate-instances": { status: "failed" }, "lifecycle.load": { status: "passed", required: true } }, { mutationsAllowed: true });
    const r = await diff(dir, before, after);
    expect(r.stdout).not.toContain("REGRESSION");
    expect(r.stdout).toContain("new warning lifecycle.no-duplicate-instances: skipped → failed (optional check)");
    expect(r.stdout).toMatch(/not compared lifecycle\.load: skipped → passed \(not selected in the first run/);
    expect(r.stdout).toMatch(/no regressions · 1 new warning\(s\)\n$/);
    expect(r.code).toBe(0);
  });

  it("an optional check passed → failed is a new warning; a required one is a regression (exit 1)", async () => {
    const dir = tempDir();
    const before = await baseline(dir);
    const optional = await diff(dir, before, variant(before, { "inference.no-model-substitution": { status: "failed" } }));
    expect(optional.stdout).toContain("new warning inference.no-model-substitution: passed → failed");
    expect(optional.code).toBe(0);
    const required = await diff(dir, before, variant(before, { "cors.preflight": { status: "failed" } }));
    expect(required.stdout).toContain("REGRESSION cors.preflight: passed → failed");
    expect(required.code).toBe(1);
  });

  it("passed → skipped: not compared when the second run deselected it (--skip), a regression for a required check otherwise", async () => {
    const dir = tempDir();
    const before = await baseline(dir);
    const deselected = await diff(dir, before, variant(before, { "cors.preflight": { status: "skipped" } }, { skippedChecks: ["cors.preflight"] }));
    expect(deselected.stdout).toMatch(/not compared cors\.preflight: passed → skipped \(not selected in the second run/);
    expect(deselected.stdout).not.toContain("REGRESSION cors.preflight");
    const stopped = await diff(dir, before, variant(before, { "cors.preflight": { status: "skipped" } }));
    expect(stopped.stdout).toContain("REGRESSION cors.preflight: passed → skipped");
    expect(stopped.code).toBe(1);
    // An optional check that stops running is no loss.
    const optional = await diff(dir, before, variant(before, { "schema.rest-v0-models": { status: "skipped" } }));
    expect(optional.stdout).toContain("changed    schema.rest-v0-models: passed → skipped");
    expect(optional.code).toBe(0);
  });
});

describe("certify --rerun-failed", () => {
  it("runs exactly the checks that did not pass, plus what they need, against the same host", async () => {
    const dir = tempDir();
    const mock = await mockHost("mac-studio-2");
    const first = await runCli(["certify", mock.url, ...FAST]);
    const path = join(dir, "first.json");
    writeFileSync(path, first.stdout);
    const previous = JSON.parse(first.stdout) as { checks: { id: string; status: string }[] };
    const notPassed = previous.checks.filter((c) => c.status !== "passed").map((c) => c.id);
    const again = await runCli(["certify", "--rerun-failed", path, "--json", "--no-browser", "--probe-address", LAN_STAND_IN]);
    const cert = JSON.parse(again.stdout) as { host: { url: string; name: string }; run: { selectedChecks: string[] } };
    expect(cert.host).toMatchObject({ url: mock.url, name: "mac-studio-1" });
    expect(cert.run.selectedChecks).toEqual(expect.arrayContaining(notPassed));
    expect(cert.run.selectedChecks).toContain("surfaces.discovered"); // needed by listing.matches-standard
    expect(cert.run.selectedChecks).not.toContain("schema.openai-models");
  });
});

describe("the upgrade rehearsal recipe (README, issue 13.3)", () => {
  it("step 2 compares a container rehearsal with a fleet host's latest.json, and says so", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "lmcert-history", "mac-studio-1"), { recursive: true });
    mkdirSync(join(dir, "rehearsal", "lmstudio_llmster-preview_cpu"), { recursive: true });
    const fleetHost = await certificateFile(dir, join("lmcert-history", "mac-studio-1", "latest.json"), { version: "0.3.20" });
    // What `certify --container lmstudio/llmster-preview:cpu --out rehearsal/` writes: the host is the container.
    const mock = await mockHost("mac-studio-1", { version: "0.4.18" });
    const raw = JSON.parse((await runCli(["certify", mock.url, "--json", "--no-browser", "--probe-address", LAN_STAND_IN, "--name", "lmstudio_llmster-preview_cpu"])).stdout) as Certificate;
    const { digest: _digest, ...body } = raw;
    const host = {
      ...body.host,
      container: {
        image: "lmstudio/llmster-preview:cpu", imageId: "sha256:0123", repoDigest: null, port: 1234, env: [], cmd: null, models: null,
        startup: "answered" as const, detail: "GET /lmstudio-greeting answered on container port 1234", logTail: [],
      },
    };
    const withHost = { ...body, host };
    const rehearsal = join(dir, "rehearsal", "lmstudio_llmster-preview_cpu", "latest.json");
    writeFileSync(rehearsal, JSON.stringify({ ...withHost, digest: certificateDigest(withHost) }));

    const r = await runCli(["diff", fleetHost, rehearsal]);
    expect(r.stderr).toBe("");
    expect(r.code).not.toBe(2);
    expect(r.stdout).toMatch(/^comparing rehearsal lmstudio\/llmster-preview:cpu with mac-studio-1 \(http:\/\/127\.0\.0\.1:\d+\)\n/);
    expect(r.stdout).toContain("LM Studio 0.3.20 → 0.4.18");
    const json = JSON.parse((await runCli(["diff", fleetHost, rehearsal, "--json"])).stdout) as { comparing: string };
    expect(json.comparing).toMatch(/^comparing rehearsal lmstudio\/llmster-preview:cpu with mac-studio-1/);
    // Two real hosts with different names are still refused.
    const other = join(dir, "other.json");
    writeFileSync(other, JSON.stringify({ ...raw, host: { ...raw.host } }));
    expect((await runCli(["diff", fleetHost, other])).code).toBe(2);
  }, 60_000);
});

describe("lmcert diff refuses what it cannot compare honestly (issue 12)", () => {
  it("a fleet summary against one certificate, or two different hosts: exit 2 unless --allow-mismatch", async () => {
    const dir = tempDir();
    const a = await certificateFile(dir, "a.json", {});
    const mock = await mockHost("mac-studio-2");
    const other = join(dir, "other.json");
    writeFileSync(other, (await runCli(["certify", mock.url, "--json", "--no-browser", "--probe-address", LAN_STAND_IN, "--name", "mac-studio-2"])).stdout);
    const twoHosts = await runCli(["diff", a, other]);
    expect(twoHosts.code).toBe(2);
    expect(twoHosts.stderr).toMatch(/different hosts: mac-studio-1 \(http:\/\/127\.0\.0\.1:\d+\) and mac-studio-2 .*--allow-mismatch/);
    const allowed = await runCli(["diff", a, other, "--allow-mismatch"]);
    expect(allowed.code).toBe(1); // listing.matches-standard regressed: passed → failed
    expect(allowed.stdout).toMatch(/REGRESSION listing\.matches-standard/);

    const inventory = writeInventory(dir, mock.port, [{ name: "mac-studio-1", url: mock.url }]);
    await runCli(["fleet", inventory, "--out", join(dir, "fleet"), "--no-browser", "--probe-address", LAN_STAND_IN]);
    const mixed = await runCli(["diff", join(dir, "fleet", "fleet-summary.json"), a]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/fleet-summary\.json is a fleet summary but .*a\.json is a certificate/);
  }, 60_000);

  it("an interrupted fleet run is recorded as such in fleet-summary.json, lmcert.prom and certificates; diff refuses it", async () => {
    const dir = tempDir();
    const mock = await mockHost("mac-studio-1");
    const inventory = writeInventory(dir, mock.port, [{ name: "mac-studio-1", url: mock.url }]);
    const good = join(dir, "good");
    expect((await runCli(["fleet", inventory, "--out", good, "--no-browser", "--probe-address", LAN_STAND_IN])).code).toBe(0);
    const cut = join(dir, "cut");
    const stop = new AbortController();
    stop.abort(); // Ctrl-C before any host finished
    await runCli(["fleet", inventory, "--out", cut, "--no-browser", "--probe-address", LAN_STAND_IN], stop.signal);
    const summary = JSON.parse(readFileSync(join(cut, "fleet-summary.json"), "utf8")) as { interrupted: boolean; hosts: { interrupted: boolean }[] };
    expect(summary.interrupted).toBe(true);
    expect(summary.hosts[0]?.interrupted).toBe(true);
    expect(readFileSync(join(cut, "lmcert.prom"), "utf8")).toMatch(/^lmcert_run_interrupted 1$/m);
    expect(readFileSync(join(good, "lmcert.prom"), "utf8")).toMatch(/^lmcert_run_interrupted 0$/m);
    const cert = JSON.parse(readFileSync(join(cut, "mac-studio-1", "latest.json"), "utf8")) as { interrupted?: { at: string } };
    expect(cert.interrupted?.at).toEqual(expect.any(String));

    const refused = await runCli(["diff", join(good, "fleet-summary.json"), join(cut, "fleet-summary.json")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/comes from an interrupted run: its results are partial, so a diff would report regressions that never happened/);
    const flagged = await runCli(["diff", join(good, "fleet-summary.json"), join(cut, "fleet-summary.json"), "--allow-interrupted"]);
    expect(flagged.code).toBe(0);
    expect(flagged.stdout).toMatch(/^mac-studio-1: \(interrupted run: changes unconfirmed, not counted\)$/m);
    expect(flagged.stdout).toMatch(/unconfirmed health\.greeting: passed → error/);
    expect(flagged.stdout).not.toContain("REGRESSION");
  }, 60_000);
});
