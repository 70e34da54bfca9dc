/**
 * @module Record a host and certify it, the way an operator does: `lmcert record` through the CLI, certification
 * through certifyHost. Shared by test/record-replay.test.ts and the script that writes fixtures/recordings/.
 * No vitest imports: the script runs outside the test runner.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Certificate } from "../../contracts/certificate.ts";
import type { Standard } from "../../contracts/standard.ts";
import { certifyHost } from "../../harness/certify-host.ts";
import { main } from "../../harness/cli/main.ts";
import { DEFAULT_STANDARD } from "../../harness/standard-file.ts";
import { checks } from "../../suites/index.ts";

/** Stands in for "this machine's LAN address" (see test/helpers/hosts.ts LAN_STAND_IN). */
const PROBE = "127.0.0.2";

/** What a recording's `.expected.json` keeps: what certifying the recorded host gave. */
export interface ExpectedOutcome {
  readonly verdict: Certificate["verdict"];
  readonly listing: string | null;
  readonly checks: Readonly<Record<string, string>>;
}

/** The standard for a host on an ephemeral port: the built-in one, with that port (and the given changes). */
export function standardFor(url: string, overrides: Partial<Standard> = {}): Standard {
  return { ...DEFAULT_STANDARD, bind: { address: "0.0.0.0", port: Number(new URL(url).port) }, ...overrides };
}

export async function certifyOutcome(url: string, standard: Standard, token?: string): Promise<ExpectedOutcome & { lmstudioVersion: string | null }> {
  const certificate = await certifyHost({
    host: { name: "recorded-host", url },
    standard,
    checks,
    token,
    timeoutMs: 2_000,
    probeAddresses: [PROBE],
    chromium: { path: null, reason: "the browser's traffic is not part of a recording" },
  });
  return { ...outcomeOf(certificate), lmstudioVersion: certificate.host.lmstudioVersion };
}

export function outcomeOf(certificate: Certificate): ExpectedOutcome {
  const listing = certificate.checks.find((c) => c.id === "listing.matches-standard")?.observed["behaviour"];
  return {
    verdict: certificate.verdict,
    listing: typeof listing === "string" ? listing : null,
    checks: Object.fromEntries(certificate.checks.map((c) => [c.id, c.status])),
  };
}

/** `lmcert record <url> --out <file>` with this standard; returns the CLI's exit code and output. */
export async function recordWithCli(url: string, file: string, standard: Standard, extra: readonly string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "lmcert-record-"));
  const standardFile = join(dir, "standard.yaml");
  // JSON is YAML: the standard file as the record command reads it.
  writeFileSync(standardFile, JSON.stringify(standard));
  let stdout = "";
  let stderr = "";
  const code = await main(["record", url, "--out", file, "--standard", standardFile, "--probe-address", PROBE, ...extra], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}
