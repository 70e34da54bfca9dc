import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Certificate } from "../contracts/certificate.ts";
import { certificateDigest, writeCertificate } from "../harness/certificate.ts";
import { ConsoleReporter } from "../harness/reporters/console.ts";
import { certify, mockHost } from "./helpers/hosts.ts";

describe("certificate", () => {
  it("carries a digest over its canonical JSON that detects any edit, and is valid for 7 days", async () => {
    const cert = await certify((await mockHost("mac-studio-1")).url);
    expect(cert.digest).toBe(certificateDigest(cert));
    const tampered = { ...cert, verdict: "certified" as const, counts: { ...cert.counts, failed: 0 } };
    const edited = { ...cert, checks: cert.checks.map((c, i) => (i === 0 ? { ...c, reason: "edited" } : c)) };
    expect(certificateDigest(edited)).not.toBe(cert.digest);
    expect(certificateDigest({ ...tampered, host: { ...cert.host, url: "http://elsewhere" } })).not.toBe(cert.digest);
    expect(Date.parse(cert.validUntil) - Date.parse(cert.finishedAt)).toBe(7 * 24 * 3600 * 1000);
    expect(cert.standard).toMatchObject({ name: "cluster-standard", version: 1 });
    expect(cert.standard.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cert.run).toEqual({ selectedChecks: cert.checks.map((c) => c.id), skippedChecks: [], mutationsAllowed: false });
  });

  it("is written atomically as <host>/<timestamp>.json plus latest.json, with no temp files left", async () => {
    const cert = await certify((await mockHost("mac-studio-2")).url);
    const dir = mkdtempSync(join(tmpdir(), "lmcert-cert-"));
    const { path, latest } = writeCertificate(dir, cert);
    expect(readdirSync(join(dir, "test-host")).sort()).toEqual([path.split("/").pop(), "history.jsonl", "latest.json"].sort());
    expect(Certificate.parse(JSON.parse(readFileSync(latest, "utf8")))).toEqual(cert);
  });

  it("the console checklist escapes terminal control characters that came from a server", () => {
    let text = "";
    const reporter = new ConsoleReporter({ write: (t: string) => (text += t) });
    reporter.onCheckEnd(
      { name: "h", url: "u" },
      { id: "x.y", title: "", must: "", required: true, status: "failed", reason: "evil \u001b[2J\u001b]0;pwned\u0007 text", observed: {}, evidence: [], remedy: "do \u009b this", durationMs: 1 },
    );
    expect(text).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(text).toContain("evil \\x1b[2J\\x1b]0;pwned\\x07 text");
  });
});

describe("fleet console progress", () => {
  it("prints plain lines when not a TTY, and a live n/N line on a TTY", async () => {
    const { FleetProgressReporter } = await import("../harness/reporters/fleet-progress.ts");
    const cert = await certify((await mockHost("mac-studio-2")).url);
    let plain = "";
    new FleetProgressReporter(2, { write: (t: string) => (plain += t), isTTY: false }).onHostEnd(cert);
    expect(plain).toMatch(/^✖ not certified {2}test-host \(\d+ passed/);
    expect(plain).not.toMatch(/[\r\u001b]/);
    let tty = "";
    const env = process.env["NO_COLOR"];
    delete process.env["NO_COLOR"];
    new FleetProgressReporter(2, { write: (t: string) => (tty += t), isTTY: true }).onHostEnd(cert);
    if (env !== undefined) process.env["NO_COLOR"] = env;
    expect(tty).toContain("\r\u001b[K");
    expect(tty).toContain("1/2 hosts done");
  });
});
