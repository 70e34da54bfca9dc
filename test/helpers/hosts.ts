/** @module Test hosts on ephemeral loopback ports: the mock LM Studio, and plain servers that are not LM Studio. */
import { mkdtempSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import type { Standard } from "../../contracts/standard.ts";
import type { MockConfig } from "../../fixtures/mock/config.ts";
import { preset, type PresetName } from "../../fixtures/mock/presets.ts";
import { startMock, type RunningMock } from "../../fixtures/mock/server.ts";
import type { ChromiumChoice } from "../../harness/browser/find-chromium.ts";
import { certifyHost } from "../../harness/certify-host.ts";
import type { LocalAccess } from "../../harness/types.ts";
import { DEFAULT_STANDARD } from "../../harness/standard-file.ts";
import { checks } from "../../suites/index.ts";

/** Starts a mock for the current test; it is closed when the test finishes, pass or fail. */
export async function mockHost(config: MockConfig | PresetName, overrides: Partial<MockConfig> = {}): Promise<RunningMock> {
  const mock = await startMock(typeof config === "string" ? preset(config, overrides) : { ...config, ...overrides });
  onTestFinished(() => mock.close());
  return mock;
}

/** A server that is not LM Studio (a plain web server or another JSON API). */
export async function plainHost(handler: RequestListener): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback port with nothing listening: bind, read the port, close. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * The address that stands in for "this machine's LAN address" in tests: 127.0.0.2 is loopback (no traffic leaves
 * the machine) yet reaches only servers bound to 0.0.0.0, never those bound to 127.0.0.1.
 */
export const LAN_STAND_IN = "127.0.0.2";

export interface CertifyTestOptions {
  readonly standard?: Partial<Standard>;
  readonly token?: string;
  readonly timeoutMs?: number;
  readonly chromium?: ChromiumChoice;
  readonly local?: LocalAccess;
  readonly allowMutations?: boolean;
  readonly lifecycleModel?: string;
  readonly journalDir?: string;
  /** A container's port inside, when `url` is its published port: the standard's port is then this one. */
  readonly servedPort?: number;
  readonly checkTimeoutMs?: number;
}

/** Certifies with the standard's port set to the mock's ephemeral port, probing off-loopback via LAN_STAND_IN. */
export async function certify(url: string, options: CertifyTestOptions = {}): Promise<Certificate> {
  return certifyHost({
    host: { name: "test-host", url, ...(options.servedPort === undefined ? {} : { servedPort: options.servedPort }) },
    standard: { ...DEFAULT_STANDARD, bind: { address: "0.0.0.0", port: options.servedPort ?? Number(new URL(url).port) }, ...options.standard },
    checks,
    token: options.token,
    timeoutMs: options.timeoutMs ?? 2_000,
    checkTimeoutMs: options.checkTimeoutMs ?? 20_000,
    probeAddresses: [LAN_STAND_IN],
    chromium: options.chromium ?? { path: null, reason: "browser check not requested by this test" },
    local: options.local ?? null,
    allowMutations: options.allowMutations ?? false,
    lifecycleModel: options.lifecycleModel ?? null,
    journalDir: options.journalDir ?? mkdtempSync(join(tmpdir(), "lmcert-journal-")),
  });
}

export function check(certificate: Certificate, id: string): CheckRecord {
  const found = certificate.checks.find((c) => c.id === id);
  if (!found) throw new Error(`certificate has no check ${id}`);
  return found;
}

export function statuses(certificate: Certificate): Record<string, string> {
  return Object.fromEntries(certificate.checks.map((c) => [c.id, c.status]));
}
