/**
 * The knob matrix. The network standard end to end: a mock with CORS on, bound to 0.0.0.0 and auth configured passes
 * every applicable check; flipping one knob makes exactly the matching checks fail, each with a remedy. Then every
 * check against every LM Studio version profile (0.3.5, 0.3.20, 0.4.2, 0.4.18; issue 11), with the expected outcome
 * of each.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MockConfig } from "../fixtures/mock/config.ts";
import { VERSION_PROFILES, type VersionProfile } from "../fixtures/mock/version.ts";
import { findChromium } from "../harness/browser/find-chromium.ts";
import { checks } from "../suites/index.ts";
import { certify, mockHost, statuses } from "./helpers/hosts.ts";

/** A token in LM Studio's real shape (`sk-lm-` + 8 + `:` + 20), so the SDK websocket can present it too. */
const TOKEN = "sk-lm-Kn0bs123:Kn0bsKn0bsKn0bsKn0bs";
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

type Status = "passed" | "failed" | "inconclusive" | "skipped" | "error";

/**
 * What every check gives on a compliant host (JIT off, CORS on, 0.0.0.0, saved settings matching) of the newest
 * profile, with --allow-mutations and the built-in standard (auth: none). Optional checks may fail: the mock stacks
 * `<key>:2` on a second load and has no memory limit, as LM Studio does by default.
 */
const COMPLIANT: Readonly<Record<string, Status>> = {
  "health.greeting": "passed",
  "surfaces.discovered": "passed",
  "schema.openai-models": "passed",
  "schema.rest-v0-models": "passed",
  "schema.rest-v1-models": "passed",
  "state.authoritative-surface": "passed",
  "listing.matches-standard": "passed",
  "listing.consistent-across-surfaces": "passed",
  "cors.preflight": "passed",
  "cors.actual-request": "passed",
  "cors.private-network": "passed",
  "cors.browser": "skipped",
  "cors.disabled": "skipped",
  "bind.port": "passed",
  "bind.reachable-off-loopback": "passed",
  "bind.all-interfaces": "passed",
  "auth.required": "skipped",
  "auth.token-accepted": "skipped",
  "auth.not-required": "passed",
  "inference.loaded-model-answers": "passed",
  "inference.no-model-substitution": "passed",
  "models.required-present": "skipped",
  "memory.within-budget": "skipped",
  "memory.over-budget-refused": "inconclusive",
  "lifecycle.load": "passed",
  "lifecycle.unload": "passed",
  "lifecycle.no-implicit-load": "passed",
  "lifecycle.no-duplicate-instances": "failed",
  "contract.pact-verified": "skipped",
  "config.local-settings": "passed",
};

/** The surfaces each profile lacks: their schema checks are skipped (issue 11: /api/v0 from 0.3.6, /api/v1 from 0.4.0). */
const BY_PROFILE: Readonly<Record<VersionProfile, Partial<Record<string, Status>>>> = {
  "0.3.5": { "schema.rest-v0-models": "skipped", "schema.rest-v1-models": "skipped" },
  "0.3.20": { "schema.rest-v1-models": "skipped" },
  "0.4.2": {},
  "0.4.18": {},
};

const NO_MUTATIONS = Object.fromEntries(checks.filter((c) => c.mutates).map((c) => [c.id, "skipped" as const]));

interface Knob {
  readonly mock: Partial<MockConfig>;
  readonly standard?: { auth: "token" };
  readonly token?: string;
  readonly allowMutations: boolean;
  /** The outcomes that differ from COMPLIANT on this profile. */
  readonly expect: (profile: VersionProfile) => Partial<Record<string, Status>>;
  readonly verdict: (profile: VersionProfile) => "certified" | "not-certified";
}

const tokenCapable = (p: VersionProfile) => p.startsWith("0.4.");

const KNOBS: Readonly<Record<string, Knob>> = {
  compliant: { mock: {}, allowMutations: true, expect: () => ({}), verdict: () => "certified" },
  // 0.3.x has no "Require Authentication": the token standard fails there; 0.4.2 refuses the early way, 0.4.18 with 401.
  "Require Authentication on, standard auth: token": {
    mock: { authToken: TOKEN },
    standard: { auth: "token" },
    token: TOKEN,
    allowMutations: false,
    expect: (p) => ({ ...NO_MUTATIONS, "auth.not-required": "skipped", "auth.token-accepted": "passed", "auth.required": tokenCapable(p) ? "passed" : "failed" }),
    verdict: (p) => (tokenCapable(p) ? "certified" : "not-certified"),
  },
  "JIT on": {
    mock: { jit: true },
    allowMutations: false,
    expect: () => ({ ...NO_MUTATIONS, "listing.matches-standard": "failed", "config.local-settings": "failed" }),
    verdict: () => "not-certified",
  },
};

describe("every check against every LM Studio version profile (issue 11)", () => {
  const cases = VERSION_PROFILES.flatMap((profile) => Object.keys(KNOBS).map((knob) => [profile, knob] as const));
  // Sequential: each test's mock is closed when that test finishes (onTestFinished), which concurrency would blur.
  it.each(cases)("%s, %s: every check gives its expected outcome", async (profile, knobName) => {
    const knob = KNOBS[knobName] as Knob;
    const mock = await mockHost("compliant", { ...BASE, version: profile, ...knob.mock });
    const cert = await certify(mock.url, {
      ...(knob.standard ? { standard: knob.standard } : {}),
      ...(knob.token ? { token: knob.token } : {}),
      allowMutations: knob.allowMutations,
      local: { lmstudioHome: matchingSettings(mock.port) },
      timeoutMs: 5_000,
    });
    const expected = { ...COMPLIANT, ...BY_PROFILE[profile], ...knob.expect(profile) };
    expect(statuses(cert)).toEqual(expected);
    expect(cert.verdict).toBe(knob.verdict(profile));
    // Every profile states its version through the SDK's system.version, with or without a token (issue 11.9).
    expect(cert.host.lmstudioVersion).toBe(profile);
    if (knob.allowMutations) expect(mock.state.instances.map((i) => i.id)).toEqual(["qwen2.5-0.5b-instruct", "text-embedding-nomic-embed-text-v1.5"]);
    const required = cert.checks.find((c) => c.id === "auth.required");
    if (knob.token && required?.status === "passed") {
      // How each 0.4 profile refuses a missing token, named in the certificate (issue 11.3).
      expect(required.observed["refusal"]).toBe(profile === "0.4.2" ? "unknown-endpoint-200" : "http-401");
    }
    if (required?.status === "failed") expect(required.reason).toMatch(/older than 0\.4\.0, which added "Require Authentication"/);
  }, 60_000);
});
