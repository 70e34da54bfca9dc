/**
 * The network standard end to end: a mock with CORS on, bound to 0.0.0.0 and auth configured passes every
 * applicable check; flipping one knob makes exactly the matching checks fail, each with a remedy.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MockConfig } from "../fixtures/mock/config.ts";
import { findChromium } from "../harness/browser/find-chromium.ts";
import { certify, mockHost } from "./helpers/hosts.ts";

const TOKEN = "sk-lm-knobs123:knobsknobsknobs";
const chromium = findChromium();
const browserIds = chromium.path ? ["cors.browser"] : [];

function matchingSettings(port: number): string {
  const home = mkdtempSync(join(tmpdir(), "lmstudio-home-"));
  mkdirSync(join(home, ".internal"));
  const settings = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "lmstudio-settings", "matching.json"), "utf8"));
  writeFileSync(join(home, ".internal", "http-server-config.json"), JSON.stringify({ ...settings, port }));
  return home;
}

const BASE: Partial<MockConfig> = { cors: true, corsPrivateNetwork: true, bindHost: "0.0.0.0", jit: false };

/**
 * `requireAuth: false` is the "Require Authentication" knob turned off (the mock then has no token). Chromium runs
 * only where CORS is in play (the baseline and the CORS knob): it is the most expensive part of a run.
 */
async function run(overrides: Partial<MockConfig>, requireAuth = true) {
  const browser = !("jit" in overrides) && !("bindHost" in overrides) && requireAuth;
  const mock = await mockHost("compliant", { ...BASE, ...(requireAuth ? { authToken: TOKEN } : {}), ...overrides });
  return certify(mock.url, {
    token: TOKEN,
    standard: { auth: "token" },
    chromium: browser ? chromium : { path: null, reason: "not needed for this knob" },
    local: { lmstudioHome: matchingSettings(mock.port) },
  });
}

describe.runIf(process.platform === "linux")(`network knobs (browser: ${chromium.reason})`, () => {
  it("the fully configured host passes every applicable check", async () => {
    const cert = await run({});
    // Skipped by design here: not applicable to this standard, or mutating (this run does not allow mutations).
    const notPassed = cert.checks.filter((c) => c.status !== "passed" && !c.id.startsWith("lifecycle.")).map((c) => `${c.id}: ${c.status}`);
    // In check order: cors.browser comes before cors.disabled.
    expect(notPassed).toEqual([
      ...(chromium.path ? [] : ["cors.browser: skipped"]),
      "cors.disabled: skipped",
      "auth.not-required: skipped",
      "models.required-present: skipped",
      "memory.within-budget: skipped",
      "memory.over-budget-refused: skipped",
      "contract.pact-verified: skipped",
    ]);
    expect(cert.verdict).toBe("certified");
  }, 60_000);

  it.each([
    ["CORS off", { cors: false }, true, ["cors.preflight", "cors.actual-request", "cors.private-network", ...browserIds, "config.local-settings"]],
    ["bound to 127.0.0.1", { bindHost: "127.0.0.1" }, true, ["bind.reachable-off-loopback", "bind.all-interfaces", "config.local-settings"]],
    ["Require Authentication off", {}, false, ["auth.required"]],
    ["JIT on", { jit: true }, true, ["listing.matches-standard", "config.local-settings"]],
  ] as [string, Partial<MockConfig>, boolean, string[]][])("%s fails exactly the matching checks, each with a remedy", async (_knob, overrides, requireAuth, expected) => {
    const cert = await run(overrides, requireAuth);
    const failed = cert.checks.filter((c) => c.status !== "passed" && c.status !== "skipped");
    expect(failed.map((c) => c.id).sort()).toEqual([...expected].sort());
    expect(failed.every((c) => c.status === "failed" && c.remedy !== null)).toBe(true);
    // config.local-settings fails here because the saved settings (unchanged) now disagree with the server: drift.
    expect(cert.verdict).toBe("not-certified");
  }, 60_000);
});
