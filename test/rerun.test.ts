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
import { certificateDigest } from "../harness/certificate.ts";
import { generateKeyPair, signCertificate } from "../harness/signing.ts";

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

  describe("the earlier certificate is verified before anything carries over (review: false certification)", () => {
    /** A real not-certified certificate of a mac-studio-2 host (listing.matches-standard failed), in --out. */
    async function failedRun() {
      const dir = tempDir();
      const out = join(dir, "out");
      const host = await mockHost("mac-studio-2");
      const standard = standardFor(dir, host.port);
      const first = await runCli(["certify", host.url, "--standard", standard, "--out", out, ...FAST]);
      expect(first.code).toBe(1);
      const latest = join(out, "ms", "latest.json");
      return { dir, out, host, standard, latest, cert: read(latest), before: readFileSync(latest, "utf8") };
    }
    const save = (dir: string, name: string, value: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value, null, 2));
      return path;
    };

    it("an edited pass (digest left wrong) is refused: exit 2, the reason, how to run a full certify; nothing signed or written", async () => {
      const run = await failedRun();
      const keys = generateKeyPair();
      const forged: Certificate = { ...run.cert, checks: run.cert.checks.map((c) => (c.id === "listing.matches-standard" ? { ...c, status: "passed" as const } : c)) };
      const edited = save(run.dir, "edited.json", forged);
      const signKey = save(run.dir, "sign.pem", keys.privatePem);
      const again = await runCli(["certify", "--rerun-failed", edited, "--standard", run.standard, "--out", run.out, "--sign-key", signKey, ...FAST]);
      expect(again.code).toBe(2);
      expect(again.stderr).not.toMatch(/CERTIFIED/);
      expect(again.stderr).toMatch(/--rerun-failed: .*edited\.json cannot be built on/);
      expect(again.stderr).toMatch(/digest mismatch/);
      expect(again.stderr).toMatch(new RegExp(`Run a full certification instead \\(the same options, without --rerun-failed\\): lmcert certify ${run.host.url.replace(/[.:/]/g, "\\$&")}`));
      expect(readFileSync(run.latest, "utf8")).toBe(run.before);
    }, 60_000);

    it("duplicate keys and __proto__ members are refused like `verify` refuses them", async () => {
      const run = await failedRun();
      const dup = save(run.dir, "dup.json", run.before.replace(/"verdict": "not-certified"/, '"verdict": "not-certified", "verdict": "certified"'));
      const dupRun = await runCli(["certify", "--rerun-failed", dup, "--standard", run.standard, ...FAST]);
      expect(dupRun.code).toBe(2);
      expect(dupRun.stderr).toMatch(/forged or damaged: .*verdict/);
      const proto = save(run.dir, "proto.json", run.before.replace(/"observed": \{/, '"observed": { "__proto__": { "x": 1 },'));
      const protoRun = await runCli(["certify", "--rerun-failed", proto, "--standard", run.standard, ...FAST]);
      expect(protoRun.code).toBe(2);
      expect(protoRun.stderr).toMatch(/__proto__/);
    }, 60_000);

    it("an expired certificate (finished 37 days ago, digest intact) is refused and latest.json is kept", async () => {
      const run = await failedRun();
      const day = 24 * 3600 * 1000;
      const finishedAt = new Date(Date.now() - 37 * day).toISOString();
      const { digest: _d, ...body } = { ...run.cert, startedAt: new Date(Date.now() - 37 * day - 5000).toISOString(), finishedAt, validUntil: new Date(Date.now() - 30 * day).toISOString() };
      const old = save(run.dir, "old.json", { ...body, digest: certificateDigest(body) });
      const again = await runCli(["certify", "--rerun-failed", old, "--standard", run.standard, "--out", run.out, ...FAST]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/expired: valid until/);
      expect(again.stderr).not.toMatch(/CERTIFIED/);
      expect(readFileSync(run.latest, "utf8")).toBe(run.before);
    }, 60_000);

    it("with --sign-key the earlier certificate must be signed by that key; --rerun-key names another", async () => {
      const run = await failedRun();
      const ours = generateKeyPair();
      const theirs = generateKeyPair();
      const signKey = save(run.dir, "ours.pem", ours.privatePem);
      const unsignedRun = await runCli(["certify", "--rerun-failed", run.latest, "--standard", run.standard, "--sign-key", signKey, ...FAST]);
      expect(unsignedRun.code).toBe(2);
      expect(unsignedRun.stderr).toMatch(/not signed, but a key was given/);
      const byThem = save(run.dir, "theirs.json", signCertificate(run.cert, theirs.privatePem));
      const wrongKey = await runCli(["certify", "--rerun-failed", byThem, "--standard", run.standard, "--sign-key", signKey, ...FAST]);
      expect(wrongKey.code).toBe(2);
      expect(wrongKey.stderr).toMatch(new RegExp(`signed with key ${theirs.keyId}, but the given key is ${ours.keyId}`));
      // Naming their public key accepts it: the rerun runs (the host is still broken, so exit 1, not a refusal).
      const theirPub = save(run.dir, "theirs.pub", theirs.publicPem);
      const named = await runCli(["certify", "--rerun-failed", byThem, "--rerun-key", theirPub, "--standard", run.standard, "--sign-key", signKey, ...FAST]);
      expect(named.stderr).not.toMatch(/cannot be built on/);
      expect(named.code).toBe(1);
      // Without any key, only the digest is checked, and the run says so.
      const noKey = await runCli(["certify", "--rerun-failed", byThem, "--standard", run.standard, ...FAST]);
      expect(noKey.stderr).toContain(`is signed (key ${theirs.keyId}), but only its digest was checked: give --rerun-key <public.pem>`);
      expect(noKey.code).toBe(1);
      const byUs = save(run.dir, "ours.json", signCertificate(run.cert, ours.privatePem));
      const same = await runCli(["certify", "--rerun-failed", byUs, "--standard", run.standard, "--sign-key", signKey, ...FAST]);
      expect(same.stderr).not.toMatch(/cannot be built on/);
      expect(same.code).toBe(1);
    }, 60_000);
  });
});
