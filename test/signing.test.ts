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
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^VALID: .*\n  · signature valid \(ed25519, key [0-9a-f]{16}\)/)]);
  });

  it("detects any edit: a changed field breaks the digest; a recomputed digest breaks the signature", async () => {
    const { certPath, pub } = await signedCertificate();
    edit(certPath, (c) => {
      (c["checks"] as { status: string }[])[0]!.status = "failed";
    });
    const edited = await runCli(["verify", certPath, "--key", pub]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/✖ digest mismatch: the certificate says sha256:[0-9a-f]+ but its content hashes to sha256:[0-9a-f]+/);
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
});
