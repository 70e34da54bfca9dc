/** keygen, --sign-key and verify: any edit to a signed certificate is detected, and said exactly. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { certificateDigest } from "../harness/certificate.ts";
import { verifyCertificate } from "../harness/signing.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir, writeInventory } from "./helpers/fleet.ts";
import { LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

async function signedCertificate(extra: string[] = []): Promise<{ dir: string; certPath: string; pub: string; key: string }> {
  const dir = tempDir();
  const keygen = await runCli(["keygen", "--out-dir", dir, "--name", "team"]);
  expect(keygen.code).toBe(0);
  expect(keygen.stdout).toMatch(/^key id [0-9a-f]{16}$/m);
  const mock = await mockHost("compliant");
  const certPath = join(dir, "cert.json");
  const r = await runCli(["certify", mock.url, "--json", "--no-browser", "--probe-address", LAN_STAND_IN, "--sign-key", join(dir, "team.key"), ...extra]);
  writeFileSync(certPath, r.stdout);
  return { dir, certPath, pub: join(dir, "team.pub"), key: join(dir, "team.key") };
}

function edit(path: string, change: (cert: Record<string, unknown>) => void): void {
  const cert = JSON.parse(readFileSync(path, "utf8"));
  change(cert);
  writeFileSync(path, JSON.stringify(cert));
}

describe("signed certificates", () => {
  it("the README's nightly line: fleet --sign-key writes certificates that verify", async () => {
    const dir = tempDir();
    await runCli(["keygen", "--out-dir", dir]);
    const mock = await mockHost("compliant");
    const inventory = writeInventory(dir, mock.port, [{ name: "ms", url: mock.url }]);
    const r = await runCli(["fleet", inventory, "--out", join(dir, "history"), "--sign-key", join(dir, "lmcert-signing.key"), "--no-browser", "--probe-address", LAN_STAND_IN]);
    expect(r.code).toBe(0);
    const verified = await runCli(["verify", join(dir, "history", "ms", "latest.json"), "--key", join(dir, "lmcert-signing.pub"), "--strict"]);
    expect([verified.code, verified.stdout]).toEqual([0, expect.stringMatching(/^VALID/)]);
  });

  it("verify accepts an untouched signed certificate", async () => {
    const { certPath, pub } = await signedCertificate();
    const r = await runCli(["verify", certPath, "--key", pub]);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^VALID · (certified|not-certified|incomplete) · [^\n]*: .*\n  · signature valid \(ed25519, key [0-9a-f]{16}\)/)]);
  });

  it("detects any edit: a changed field breaks the digest; a recomputed digest breaks the signature", async () => {
    const { certPath, pub } = await signedCertificate();
    edit(certPath, (c) => {
      (c["checks"] as { status: string }[])[0]!.status = "failed";
    });
    const edited = await runCli(["verify", certPath, "--key", pub]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/✖ digest mismatch: the certificate says sha256:[0-9a-f]+ but its content hashes to sha256:[0-9a-f]+/);
    // Issue 12: after a digest mismatch, the signature is not reported as "valid".
    expect(edited.stdout).not.toContain("signature valid");
    expect(edited.stdout).toMatch(/✖ the signature \(key [0-9a-f]{16}\) matches only the stated digest, not this content/);
    edit(certPath, (c) => {
      c["digest"] = certificateDigest(c as never);
    });
    const forged = await runCli(["verify", certPath, "--key", pub]);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/✖ signature does not match the digest for key [0-9a-f]{16}/);
  });

  it("names a wrong key, notes an unchecked signature, and reports expiry", async () => {
    const { certPath, dir } = await signedCertificate();
    await runCli(["keygen", "--out-dir", dir, "--name", "other"]);
    const wrong = await runCli(["verify", certPath, "--key", join(dir, "other.pub")]);
    expect(wrong.stdout).toMatch(/✖ signed with key [0-9a-f]{16}, but the given key is [0-9a-f]{16}/);
    const unchecked = await runCli(["verify", certPath]);
    expect([unchecked.code, unchecked.stdout]).toEqual([0, expect.stringMatching(/no --key was given, so the signature was not checked/)]);
    const cert = JSON.parse(readFileSync(certPath, "utf8"));
    const later = verifyCertificate(cert, { now: new Date(Date.parse(cert.validUntil) + 1000) });
    expect(later.problems).toEqual([`expired: valid until ${cert.validUntil}`]);
  });

  it("verify --strict rejects a certificate that skipped a required check", async () => {
    const { certPath, pub } = await signedCertificate(["--skip", "bind.port"]);
    expect((await runCli(["verify", certPath, "--key", pub])).code).toBe(0);
    const strict = await runCli(["verify", certPath, "--key", pub, "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/✖ strict: required check bind\.port was skipped \(not selected for this run/);
  });

  it("keygen refuses to overwrite a key, and verify rejects what is not a certificate", async () => {
    const dir = tempDir();
    await runCli(["keygen", "--out-dir", dir]);
    const again = await runCli(["keygen", "--out-dir", dir]);
    expect([again.code, again.stderr]).toEqual([2, expect.stringMatching(/lmcert-signing\.key exists \(use --force/)]);
    const notCert = join(dir, "x.json");
    writeFileSync(notCert, '{"hello": 1}');
    expect((await runCli(["verify", notCert])).stdout).toMatch(/INVALID[\s\S]*not a valid certificate/);
  });

  it("verify states the verdict; --strict fails a not-certified certificate; a truncated one is invalid (1), not usage (2)", async () => {
    const { certPath, pub } = await signedCertificate();
    const cert = JSON.parse(readFileSync(certPath, "utf8")) as { verdict: string; checks: { required: boolean; status: string }[] };
    const failedRequired = cert.checks.filter((c) => c.required && c.status === "failed").length;
    expect(cert.verdict).toBe("not-certified"); // the built-in standard's port 1234 is not where the mock listens
    const plain = await runCli(["verify", certPath, "--key", pub]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`^VALID · not-certified · ${failedRequired} required checks? failed`));
    const strict = await runCli(["verify", certPath, "--key", pub, "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^INVALID · not-certified[\s\S]*✖ strict: the certificate does not certify .*: it is not-certified/);
    const text = readFileSync(certPath, "utf8");
    writeFileSync(certPath, text.slice(0, Math.floor(text.length / 2)));
    const truncated = await runCli(["verify", certPath, "--key", pub]);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(/^INVALID: [\s\S]*not a whole certificate: the file is not valid JSON/);
  });

  it("verify rejects a certificate whose verdict does not follow from its checks, even with a recomputed digest", async () => {
    const { certPath } = await signedCertificate();
    edit(certPath, (c) => {
      c["verdict"] = "certified";
      delete c["signature"];
      c["digest"] = certificateDigest(c as never);
    });
    const r = await runCli(["verify", certPath]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ the verdict says certified, but its checks make it not-certified/);
  });
});

describe("verify over the exact member set (issue 15.7)", () => {
  it("rejects a signed certificate with a __proto__ member added inside a check's observed values", async () => {
    const { certPath, pub } = await signedCertificate();
    const text = readFileSync(certPath, "utf8");
    // JSON.parse keeps "__proto__" as an own member; a schema parse then drops it, so the digest never covered it.
    const forged = text.replace(/"observed": \{(\s*)(\}?)/, (_m, space: string, close: string) => `"observed": {"__proto__": {"status": "passed", "note": "forged"}${close ? "" : ","}${space}${close}`);
    expect(() => JSON.parse(forged)).not.toThrow();
    expect(forged).not.toBe(text);
    writeFileSync(certPath, forged);
    const r = await runCli(["verify", certPath, "--key", pub]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^INVALID[\s\S]*✖ forged or damaged: forbidden member "__proto__" at \$\.checks\[0\]\.observed/);
    // The library call refuses it too, from an already-parsed value.
    expect(verifyCertificate(JSON.parse(forged), {}).problems).toEqual(['forged or damaged: forbidden member "__proto__" at $.checks[0].observed']);
  });

  it("rejects a duplicate key, which would let a reader and the digest see different values", async () => {
    const { certPath, pub } = await signedCertificate();
    const text = readFileSync(certPath, "utf8");
    // JSON.parse keeps the last "status" (the genuine one), so the digest still matches; a first-wins reader sees "passed".
    const forged = text.replace(/"status": "failed"/, '"status": "passed", "status": "failed"');
    expect(forged).not.toBe(text);
    writeFileSync(certPath, forged);
    const r = await runCli(["verify", certPath, "--key", pub]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ forged or damaged: duplicate key "status" at \$\.checks\[\d+\]/);
  });
});
