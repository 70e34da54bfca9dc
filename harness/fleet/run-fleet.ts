/** @module Certifies every host of an inventory with bounded concurrency and per-host deadlines; rolls up. */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Certificate } from "../../contracts/certificate.ts";
import { FLEET_SUMMARY_SCHEMA_ID, type FleetSummary } from "../../contracts/fleet-summary.ts";
import type { ChromiumChoice } from "../browser/find-chromium.ts";
import { writeAtomic, writeCertificate, hostSlug } from "../certificate.ts";
import { canonicalJson, sha256Hex } from "../canonical-json.ts";
import { certifyHost } from "../certify-host.ts";
import { certifyContainer } from "../container/certify-container.ts";
import { fanOutSignal } from "../fan-out-signal.ts";
import { createHostAgent } from "../http/agent.ts";
import { resolveServerKey } from "../net/server-identity.ts";
import type { Reporter } from "../reporters/reporter.ts";
import { renderHtml } from "../reporters/html.ts";
import { renderJunit } from "../reporters/junit.ts";
import { renderMarkdown } from "../reporters/markdown.ts";
import { renderPrometheus } from "../reporters/prometheus.ts";
import { signCertificate } from "../signing.ts";
import type { Check } from "../types.ts";
import { fleetConsistency } from "./consistency.ts";
import { summarizeCertificate } from "./host-summary.ts";
import { readHistory } from "../history.ts";
import type { LoadedInventory } from "./inventory-file.ts";

export interface FleetRunOptions {
  readonly inventory: LoadedInventory;
  readonly checks: readonly Check[];
  readonly concurrency: number;
  /** Per host: a dead or slow host stops costing time after this. */
  readonly hostDeadlineMs: number;
  readonly timeoutMs: number;
  readonly out: string | null;
  readonly allowMutations: boolean;
  readonly signKeyPem?: string | undefined;
  readonly reporters?: readonly Reporter[];
  readonly signal?: AbortSignal;
  readonly probeAddresses?: readonly string[] | null;
  readonly chromium?: ChromiumChoice;
}

export interface FleetRunResult {
  readonly summary: FleetSummary;
  readonly certificates: readonly Certificate[];
  /** Report files written to `out`, by format. */
  readonly reports: Readonly<Record<string, string>>;
}

export async function runFleet(options: FleetRunOptions): Promise<FleetRunResult> {
  const hosts = options.inventory.hosts;
  const certificates: Certificate[] = new Array(hosts.length);
  const paths: (string | null)[] = new Array(hosts.length).fill(null);
  // Aliases of one server (localhost and 127.0.0.1, say) form one chain, certified one after another: never two
  // runs, let alone two mutation sessions, against one server at once (issue 15.5). Workers take whole chains.
  const chains = new Map<string, number[]>();
  // Each container host is its own server (lmcert starts a fresh container for it).
  // A DNS name and the address it resolves to are one server too (the same identity as the per-server lock).
  const keys = await Promise.all(hosts.map((host) => (host.url === null ? `container:${host.name}` : resolveServerKey(host.url))));
  hosts.forEach((_, index) => {
    const key = keys[index] ?? String(index);
    chains.set(key, [...(chains.get(key) ?? []), index]);
  });
  const queue = [...chains.values()];
  let next = 0;
  // One connection pool for the whole fleet, a few connections per host: hosts never share connections, and the
  // parser and pool machinery exist once instead of once per host.
  const agent = createHostAgent({ connectTimeoutMs: options.timeoutMs, connectionsPerOrigin: 4 });
  const stop = fanOutSignal(options.signal);
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      for (const index of queue[next++] ?? []) await certifyOne(index);
    }
  };
  const certifyOne = async (index: number): Promise<void> => {
    const host = hosts[index];
    if (!host) return;
    const common = {
      standard: options.inventory.standard,
      checks: options.checks,
      token: host.token,
      tokenEnv: host.tokenEnv,
      lifecycleModel: host.lifecycleModel,
      allowMutations: options.allowMutations,
      timeoutMs: options.timeoutMs,
      hostDeadlineMs: options.hostDeadlineMs,
      checkTimeoutMs: options.hostDeadlineMs,
      reporters: options.reporters ?? [],
      signal: stop.signal,
      agent,
      probeAddresses: options.probeAddresses ?? null,
      ...(options.chromium ? { chromium: options.chromium } : {}),
      ...(options.out ? { journalDir: join(options.out, hostSlug(host.name)) } : {}),
    };
    let cert = host.container
      ? await certifyContainer({ ...common, name: host.name, container: host.container, harnessErrorsAsCertificate: true })
      : await certifyHost({ ...common, host: { name: host.name, url: host.url ?? "" } });
    if (options.signKeyPem) cert = signCertificate(cert, options.signKeyPem);
    certificates[index] = cert;
    if (options.out) paths[index] = writeCertificate(options.out, cert).path;
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, worker));
  } finally {
    stop.release();
    await agent.destroy();
  }
  // Interrupted: the fleet's signal fired, so some hosts never finished (or never started).
  const summary = buildSummary(options.inventory, certificates.filter(Boolean), paths.filter((_, i) => certificates[i]), options.signal?.aborted ?? false);
  const reports = options.out ? writeReports(options.out, summary, certificates) : {};
  return { summary, certificates, reports };
}

export function buildSummary(inventory: LoadedInventory, certificates: readonly Certificate[], paths: readonly (string | null)[], interrupted = false): FleetSummary {
  const hosts = certificates.map((c, i) => summarizeCertificate(c, paths[i] ?? null));
  const count = (v: string) => hosts.filter((h) => h.verdict === v).length;
  return {
    $schema: FLEET_SUMMARY_SCHEMA_ID,
    generatedAt: new Date().toISOString(),
    inventory: inventory.path,
    standard: { name: inventory.standard.standard, version: inventory.standard.version, sha256: sha256Hex(canonicalJson(inventory.standard)) },
    counts: { hosts: hosts.length, certified: count("certified"), notCertified: count("not-certified"), incomplete: count("incomplete") },
    hosts,
    consistency: fleetConsistency(hosts),
    interrupted: interrupted || certificates.some((c) => c.interrupted !== undefined),
  };
}

/**
 * Every format from the one result tree; each written atomically. Rendered one at a time, and the HTML page (several
 * MB for 200 hosts) piece by piece, so that peak memory does not grow with the size of the reports.
 */
function writeReports(out: string, summary: FleetSummary, certificates: readonly Certificate[]): Record<string, string> {
  const renderers: Record<string, [string, () => string | Iterable<string>]> = {
    summary: ["fleet-summary.json", () => `${JSON.stringify(summary, null, 2)}\n`],
    junit: ["lmcert.junit.xml", () => renderJunit(certificates)],
    markdown: ["lmcert.md", () => renderMarkdown(summary, certificates)],
    // The history strip reads each host's history.jsonl, which writeCertificate has already extended by this run.
    html: ["lmcert.html", () => renderHtml(summary, certificates, { history: new Map(certificates.map((c) => [c.host.name, readHistory(join(out, hostSlug(c.host.name)), 30)])) })],
    prometheus: ["lmcert.prom", () => renderPrometheus(certificates, new Date(summary.generatedAt), { interrupted: summary.interrupted ?? false })],
  };
  mkdirSync(out, { recursive: true });
  const written: Record<string, string> = {};
  for (const [format, [name, render]] of Object.entries(renderers)) {
    const path = join(out, name);
    writeAtomic(path, render());
    written[format] = path;
  }
  return written;
}
