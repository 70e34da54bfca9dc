/** `certify --rerun-failed` can certify a fixed host: earlier passes carry over, marked; latest.json is never made partial. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../contracts/certificate.ts";
import { writeCertificate } from "../harness/certificate.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/fleet.ts";
import { certify, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";
import { startMock } from "../fixtures/mock/server.ts";
import { preset } from "../fixtures/mock/presets.ts";
import { onTestFinished } from "vitest";

const FAST = ["--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "1000", "--name", "ms"];

function standardFor(dir: string, port: number): string {
  const path = join(dir, "standard.yaml");
  writeFileSync(path, `standard: cluster-standard\nversion: 1\nbind: { address: 0.0.0.0, port: ${port} }\n`);
  return path;
}

const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Certificate;

describe("certify --rerun-failed", () => {
  it("certifies a host fixed after a failed run: carried-over passes keep their time; exit 0; verify --strict accepts it", async () => {
    const dir = tempDir();
    const out = join(dir, "out");
    const broken = await mockHost("mac-studio-2"); // JIT on: fails listing.matches-standard
    const standard = standardFor(dir, broken.port);
    const first = await runCli(["certify", broken.url, "--standard", standard, "--out", out, ...FAST]);
    expect(first.code).toBe(1);
    const firstCert = read(join(out, "ms", "latest.json"));
    expect(firstCert.verdict).toBe("not-certified");
    await broken.close();
    // The operator turns JIT off: the same host, same port, now loaded-only.
    const fixed = await startMock(preset("mac-studio-1"), { port: broken.port });
    onTestFinished(() => fixed.close());

    const again = await runCli(["certify", "--rerun-failed", join(out, "ms", "latest.json"), "--standard", standard, "--out", out, ...FAST]);
    expect(again.stderr).toMatch(/verdict: CERTIFIED/);
    expect(again.stderr).toMatch(/carried over: passed at /);
    expect(again.code).toBe(0);
    const merged = read(join(out, "ms", "latest.json"));
    expect(merged.verdict).toBe("certified");
    expect(merged.run.rerunOf).toEqual({ digest: firstCert.digest, finishedAt: firstCert.finishedAt });
    const carried = merged.checks.filter((c) => c.carriedOver);
    expect(carried.length).toBeGreaterThan(0);
    for (const c of carried) {
      expect(c.carriedOver).toEqual({ from: firstCert.digest, at: firstCert.finishedAt });
      expect(firstCert.checks.find((x) => x.id === c.id)?.status).toBe("passed");
    }
    expect(merged.checks.find((c) => c.id === "listing.matches-standard")).toMatchObject({ status: "passed" });
    expect(merged.checks.find((c) => c.id === "listing.matches-standard")?.carriedOver).toBeUndefined();
    // The certificate is as old as its oldest evidence.
    expect(merged.validUntil).toBe(new Date(Date.parse(firstCert.finishedAt) + 7 * 24 * 3600 * 1000).toISOString());

    const verify = await runCli(["verify", join(out, "ms", "latest.json"), "--strict"]);
    expect(verify.stdout).toMatch(/^VALID · certified/);
    expect(verify.code).toBe(0);
  }, 60_000);

  it("without carried passes (another standard), the partial rerun does not replace a complete latest.json", async () => {
    const dir = tempDir();
    const out = join(dir, "out");
    const host = await mockHost("mac-studio-2");
    const first = await runCli(["certify", host.url, "--standard", standardFor(dir, host.port), "--out", out, ...FAST]);
    expect(first.code).toBe(1);
    const before = readFileSync(join(out, "ms", "latest.json"), "utf8");
    // The built-in standard (port 1234) is another standard: nothing may carry over.
    const again = await runCli(["certify", "--rerun-failed", join(out, "ms", "latest.json"), "--out", out, ...FAST]);
    expect(again.stderr).toMatch(/earlier passes are not carried over: it was judged by another standard/);
    expect(again.stderr).toMatch(/latest\.json kept: .* holds a complete result and this run is partial/);
    expect(readFileSync(join(out, "ms", "latest.json"), "utf8")).toBe(before);
    const history = readFileSync(join(out, "ms", "history.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { partial: boolean });
    expect(history.map((h) => h.partial)).toEqual([false, true]);
  }, 60_000);

  it("an interrupted run never replaces a complete latest.json", async () => {
    const host = await mockHost("mac-studio-1");
    const complete = await certify(host.url);
    const out = tempDir();
    writeCertificate(out, complete);
    const interrupted: Certificate = { ...complete, finishedAt: new Date(Date.parse(complete.finishedAt) + 1000).toISOString(), interrupted: { at: complete.finishedAt, detail: "Ctrl-C" } };
    const written = writeCertificate(out, interrupted);
    expect(written.latestKept).toMatch(/interrupted/);
    expect(read(written.latest)).toEqual(complete);
  });
});
