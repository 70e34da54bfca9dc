/** @module Certifies every host of an inventory with bounded concurrency and per-host deadlines; rolls up. */

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Certificate } from "../../contracts/certificate.ts";
import { FLEET_SUMMARY_SCHEMA_ID, type FleetSummary } from "../../contracts/fleet-summary.ts";
import type { ChromiumChoice } from "../browser/find-chromium.ts";
import { writeAtomic, hostSlug } from "../certificate.ts";
import { canonicalJson, sha256Hex } from "../canonical-json.ts";
import { fanOutSignal } from "../fan-out-signal.ts";
import { resolveServerKey } from "../net/server-identity.ts";
import type { Reporter } from "../reporters/reporter.ts";
import { renderHtml } from "../reporters/html.ts";
import { renderJunit } from "../reporters/junit.ts";
import { renderMarkdown } from "../reporters/markdown.ts";
import { renderPrometheus } from "../reporters/prometheus.ts";
import type { Check } from "../types.ts";
import { fleetConsistency } from "./consistency.ts";
import { summarizeCertificate } from "./host-summary.ts";
import { readHistory } from "../history.ts";
import type { LoadedInventory } from "./inventory-file.ts";
import { certifyInLanes } from "./fleet-threads.ts";

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
  /**
   * Threads that certify hosts (fleet-threads.ts): absent or 1, this thread alone; more, that many worker threads.
   * Used only for read-only runs without `container:` hosts, and only with checks from lmcert's registry (worker
   * threads take them from it by id).
   */
  readonly threads?: number;
}

export interface FleetRunResult {
  readonly summary: FleetSummary;
  /** With `out`, without the checks' evidence: the files hold it (certify-fleet-host.ts, fleetCopy). */
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
  const stop = fanOutSignal(options.signal);
  try {
    await certifyInLanes({
      hosts,
      chains: queue,
      lanes: fleetThreads(options),
      concurrency: options.concurrency,
      options: {
        standard: options.inventory.standard,
        checks: options.checks,
        allowMutations: options.allowMutations,
        timeoutMs: options.timeoutMs,
        hostDeadlineMs: options.hostDeadlineMs,
        out: options.out,
        signKeyPem: options.signKeyPem,
        probeAddresses: options.probeAddresses ?? null,
        chromium: options.chromium,
        // Hosts never share connections; a few each, as a single certify run has.
        connectionsPerOrigin: 4,
      },
      reporters: options.reporters ?? [],
      signal: stop.signal,
      onHostDone: (index, result) => {
        certificates[index] = result.certificate;
        paths[index] = result.path;
      },
    });
  } finally {
    stop.release();
  }
  // Interrupted: the fleet's signal fired, so some hosts never finished (or never started).
  const finished = certificates.flatMap((certificate, i) => (certificate ? [{ certificate, path: paths[i] ?? null }] : []));
  const finishedCertificates = finished.map((f) => f.certificate);
  const finishedPaths = finished.map((f) => f.path);
  const summary = buildSummary(options.inventory, finishedCertificates, finishedPaths, options.signal?.aborted ?? false);
  const reports = options.out ? writeReports(options.out, summary, finishedCertificates, finishedPaths) : {};
  return { summary, certificates, reports };
}

/**
 * Threads that certify this run's hosts (fleet-threads.ts): worker threads only for read-only runs of URL hosts (see
 * there for why), else the main thread alone (1).
 */
export function fleetThreads(options: Pick<FleetRunOptions, "allowMutations" | "inventory" | "threads">): number {
  if (options.allowMutations || options.inventory.hosts.some((host) => host.container)) return 1;
  return Math.max(1, options.threads ?? 1);
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
function writeReports(out: string, summary: FleetSummary, certificates: readonly Certificate[], paths: readonly (string | null)[]): Record<string, string> {
  const renderers: Record<string, [string, () => string | Iterable<string>]> = {
    summary: ["fleet-summary.json", () => `${JSON.stringify(summary, null, 2)}\n`],
    junit: ["lmcert.junit.xml", () => renderJunit(certificates)],
    markdown: ["lmcert.md", () => renderMarkdown(summary, certificates)],
    // The history strip reads each host's history.jsonl, which writeCertificate has already extended by this run.
    html: ["lmcert.html", () => renderHtml(summary, certificates, {
      history: new Map(certificates.map((c) => [c.host.name, readHistory(join(out, hostSlug(c.host.name)), 30)])),
      // The fleet kept its certificates without evidence (certify-fleet-host.ts): read each back when its turn comes.
      evidenceSource: (index) => readWrittenCertificate(paths[index] ?? null) ?? certificates[index],
    })],
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

/** A certificate file this run wrote, for its evidence; null without a file (no `out`) or if it cannot be read back. */
function readWrittenCertificate(path: string | null): Certificate | null {
  if (path === null) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Certificate;
  } catch {
    return null;
  }
}
