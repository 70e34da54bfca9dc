/** config.local-settings against fixture settings files: agreement, mismatch with the standard, drift, absence. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { certify, check, mockHost } from "./helpers/hosts.ts";

/** A throwaway LM Studio home holding a fixture settings file, with `port` set to the mock's port. */
function homeWith(fixture: string, port: number): string {
  const home = mkdtempSync(join(tmpdir(), "lmstudio-home-"));
  const settings = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "lmstudio-settings", fixture), "utf8"));
  mkdirSync(join(home, ".internal"));
  writeFileSync(join(home, ".internal", "http-server-config.json"), JSON.stringify({ ...settings, port }));
  return home;
}

describe("config.local-settings (--local)", () => {
  it("passes when the saved settings match the standard and the behaviour, and keeps unknown fields", async () => {
    const mock = await mockHost("compliant");
    const record = check(await certify(mock.url, { local: { lmstudioHome: homeWith("matching.json", mock.port) } }), "config.local-settings");
    expect(record.status).toBe("passed");
    expect(record.observed["settings"]).toEqual({ port: mock.port, networkInterface: "0.0.0.0", cors: true, jit: false });
    expect(record.observed["otherFields"]).toEqual({ lastStartedBy: "lms" });
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
