/** After an upgrade: `lmcert diff` flags what changed; `certify --rerun-failed` reruns exactly what did not pass. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MockConfig } from "../fixtures/mock/config.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/fleet.ts";
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
    expect(r.stdout).toMatch(/^mac-studio-1: \n {2}LM Studio 0\.3\.20 → 0\.3\.21\n/);
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
