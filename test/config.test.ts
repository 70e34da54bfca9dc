/** config.local-settings against fixture settings files: agreement, mismatch with the standard, drift, absence. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../harness/reporters/markdown.ts";
import { runCli } from "./helpers/cli.ts";
import { certify, check, mockHost } from "./helpers/hosts.ts";

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "lmstudio-settings", name), "utf8"));

/** A throwaway LM Studio home holding a fixture settings file (`port` set to the mock's), and optionally settings.json. */
function homeWith(server: string | Record<string, unknown>, port: number, appSettings?: string): string {
  const home = mkdtempSync(join(tmpdir(), "lmstudio-home-"));
  const settings = typeof server === "string" ? fixture(server) : server;
  mkdirSync(join(home, ".internal"));
  writeFileSync(join(home, ".internal", "http-server-config.json"), JSON.stringify({ ...settings, port }));
  if (appSettings) writeFileSync(join(home, "settings.json"), JSON.stringify(fixture(appSettings)));
  return home;
}

describe("config.local-settings (--local)", () => {
  it("passes when the saved settings match the standard and the behaviour, and keeps unknown fields", async () => {
    const mock = await mockHost("compliant");
    const record = check(await certify(mock.url, { local: { lmstudioHome: homeWith("matching.json", mock.port) } }), "config.local-settings");
    expect(record.status).toBe("passed");
    expect(record.observed["settings"]).toEqual({ port: mock.port, networkInterface: "0.0.0.0", cors: true, jit: false });
    expect(record.observed["serverOptions"]).toEqual({ autoStartOnLaunch: true, logSensitiveData: false, logIncomingTokens: false, verbose: false });
    expect(record.observed["otherFields"]).toEqual({ lastStartedBy: "lms" });
  });

  it("reads JIT only from LM Studio's real key: the invented `jitModelLoading` is an unknown field (issue 11.2)", async () => {
    const mock = await mockHost("compliant");
    const invented = { port: 0, networkInterface: "0.0.0.0", cors: true, jitModelLoading: true };
    const record = check(await certify(mock.url, { local: { lmstudioHome: homeWith(invented, mock.port) } }), "config.local-settings");
    expect(record.status).toBe("passed");
    expect(record.observed["settings"]).toMatchObject({ jit: null });
    expect(record.observed["otherFields"]).toEqual({ jitModelLoading: true });
    expect(record.reason).toMatch(/not in the file: justInTimeModelLoading/);
  });

  it("reports the JIT TTL and auto-evict from settings.json, and LM Studio's defaults (60 min, auto-evict on) without it", async () => {
    const mock = await mockHost("mac-studio-2");
    const std = { listing: "all-available" as const };
    const saved = check(await certify(mock.url, { standard: std, local: { lmstudioHome: homeWith("jit-on.json", mock.port, "app-settings-ttl-30min.json") } }), "config.local-settings");
    expect(saved.status).toBe("passed");
    expect(saved.observed["jitUnload"]).toMatchObject({ source: "settings.json", ttlSeconds: 1800, autoEvict: false });
    expect(saved.reason).toMatch(/a JIT-loaded model unloads itself after 30 min idle; JIT loads do not evict each other/);
    const defaults = check(await certify(mock.url, { standard: std, local: { lmstudioHome: homeWith("jit-on.json", mock.port) } }), "config.local-settings");
    expect(defaults.observed["jitUnload"]).toMatchObject({ source: "default", ttlSeconds: 3600, autoEvict: true });
    expect(defaults.reason).toMatch(/unloads itself after 60 min idle; a JIT load unloads the previous JIT-loaded model \(auto-evict on\) \(from LM Studio's defaults/);
    expect(defaults.reason).toMatch(/nightly run can therefore see a different loaded set/);
  });

  it("names TTL and auto-evict in the reason's first line, on the console and in the Markdown report, even with JIT off (issue 11.2 review)", async () => {
    const mock = await mockHost("compliant");
    const home = homeWith("matching.json", mock.port);
    const cert = await certify(mock.url, { local: { lmstudioHome: home } });
    const record = check(cert, "config.local-settings");
    expect(record.status).toBe("passed");
    expect(record.reason.split("\n")[0]).toMatch(/agrees with the standard and the observed behaviour; JIT TTL 60 min, auto-evict on \(JIT is off, so they act only once it is on\)$/);
    expect(record.reason).toMatch(/a JIT-loaded model unloads itself after 60 min idle/);
    // Markdown escapes the parentheses.
    expect(renderMarkdown(null, [cert])).toContain("- ✅ LM Studio's saved server settings match \\(--local\\); JIT TTL 60 min, auto-evict on\n");
    const cli = await runCli(["certify", mock.url, "--local", "--lmstudio-home", home]);
    // (The built-in standard says port 1234, so the check fails here: the TTL line follows the problem.)
    expect(cli.stdout + cli.stderr).toMatch(/config\.local-settings .*Server Port is \d+; the standard says 1234\n +JIT TTL 60 min, auto-evict on \(JIT is off/);
    // A failing check keeps them too, under its problems.
    const failed = check(await certify(mock.url, { local: { lmstudioHome: homeWith("jit-on.json", mock.port, "app-settings-ttl-30min.json") } }), "config.local-settings");
    expect(failed.status).toBe("failed");
    expect(failed.reason).toMatch(/\nJIT TTL 30 min, auto-evict off: a JIT-loaded model unloads itself after 30 min idle/);
  });

  it("fails on JIT on against a loaded-only standard, and shows the drift from what the host does", async () => {
    const mock = await mockHost("compliant");
    const record = check(await certify(mock.url, { local: { lmstudioHome: homeWith("jit-on.json", mock.port) } }), "config.local-settings");
    expect(record.status).toBe("failed");
    expect(record.observed["mismatches"]).toEqual(["JIT loading is on; the standard says listing: loaded-only"]);
    expect(record.observed["drift"]).toEqual(["settings say JIT on, but /v1/models behaves loaded-only"]);
  });

  it.runIf(process.platform === "linux")("fails on a loopback network interface, with drift against the listening socket", async () => {
    const mock = await mockHost("compliant", { bindHost: "0.0.0.0" });
    const record = check(await certify(mock.url, { local: { lmstudioHome: homeWith("loopback-only.json", mock.port) } }), "config.local-settings");
    expect(record.status).toBe("failed");
    expect(record.observed["mismatches"]).toEqual(["network interface is 127.0.0.1; the standard says 0.0.0.0"]);
    expect(record.observed["drift"]).toEqual(["settings say network interface 127.0.0.1, but the socket listens on 0.0.0.0"]);
  });

  it("is skipped with the reason when the file is missing or unreadable", async () => {
    const mock = await mockHost("compliant");
    const missing = check(await certify(mock.url, { local: { lmstudioHome: "/nonexistent-home" } }), "config.local-settings");
    expect([missing.status, missing.reason]).toEqual(["skipped", "no LM Studio settings file at /nonexistent-home/.internal/http-server-config.json"]);
    const home = mkdtempSync(join(tmpdir(), "lmstudio-home-"));
    mkdirSync(join(home, ".internal"));
    writeFileSync(join(home, ".internal", "http-server-config.json"), "{ not json");
    const broken = check(await certify(mock.url, { local: { lmstudioHome: home } }), "config.local-settings");
    expect(broken.status).toBe("skipped");
    expect(broken.reason).toMatch(/is not JSON/);
  });
});
