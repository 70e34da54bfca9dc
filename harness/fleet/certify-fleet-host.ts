/**
 * @module One fleet host, start to finish: certify (or start its container and certify), sign, write the
 * certificate, and keep only what the fleet's roll-up needs. The same code runs in the fleet's main thread and in
 * its worker threads (harness/fleet/fleet-threads.ts), so a host's result does not depend on where it ran.
 */
import { join } from "node:path";
import type { Dispatcher } from "undici";
import type { Certificate } from "../../contracts/certificate.ts";
import type { Standard } from "../../contracts/standard.ts";
import type { ChromiumChoice } from "../browser/find-chromium.ts";
import { hostSlug, writeCertificate } from "../certificate.ts";
import { certifyHost } from "../certify-host.ts";
import { certifyContainer } from "../container/certify-container.ts";
import type { Reporter } from "../reporters/reporter.ts";
import { signCertificate } from "../signing.ts";
import type { Check } from "../types.ts";
import type { FleetHost } from "./inventory-file.ts";

export interface FleetHostRunOptions {
  readonly standard: Standard;
  readonly checks: readonly Check[];
  readonly allowMutations: boolean;
  readonly timeoutMs: number;
  readonly hostDeadlineMs: number;
  readonly out: string | null;
  readonly signKeyPem?: string | undefined;
  readonly probeAddresses: readonly string[] | null;
  readonly chromium?: ChromiumChoice | undefined;
  readonly reporters: readonly Reporter[];
  readonly signal: AbortSignal;
  readonly agent: Dispatcher;
}

export interface FleetHostResult {
  /** With an output folder, without the checks' evidence: see {@link fleetCopy}. */
  readonly certificate: Certificate;
  /** The certificate file written (null without an output folder). */
  readonly path: string | null;
}

export async function certifyFleetHost(host: FleetHost, options: FleetHostRunOptions): Promise<FleetHostResult> {
  const common = {
    standard: options.standard,
    checks: options.checks,
    token: host.token,
    tokenEnv: host.tokenEnv,
    lifecycleModel: host.lifecycleModel,
    allowMutations: options.allowMutations,
    timeoutMs: options.timeoutMs,
    hostDeadlineMs: options.hostDeadlineMs,
    checkTimeoutMs: options.hostDeadlineMs,
    reporters: options.reporters,
    signal: options.signal,
    agent: options.agent,
    probeAddresses: options.probeAddresses,
    ...(options.chromium ? { chromium: options.chromium } : {}),
    ...(options.out ? { journalDir: join(options.out, hostSlug(host.name)) } : {}),
  };
  let certificate = host.container
    ? await certifyContainer({ ...common, name: host.name, container: host.container, harnessErrorsAsCertificate: true })
    : await certifyHost({ ...common, host: { name: host.name, url: host.url ?? "" } });
  if (options.signKeyPem) certificate = signCertificate(certificate, options.signKeyPem);
  if (!options.out) return { certificate, path: null };
  const { path } = writeCertificate(options.out, certificate);
  return { certificate: fleetCopy(certificate), path };
}

/**
 * What a fleet keeps of a certificate once its file is written: everything but the checks' evidence (the request
 * and response excerpts, about half of a certificate). A fleet of 1,000 hosts would otherwise hold every exchange
 * of every host until the reports are written; the HTML report reads the evidence back from the file, one host at a
 * time. The copy's digest and signature no longer match its content: the file is the certificate.
 */
export function fleetCopy(certificate: Certificate): Certificate {
  return { ...certificate, checks: certificate.checks.map((check) => ({ ...check, evidence: [] })) };
}
