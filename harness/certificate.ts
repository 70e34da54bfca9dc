/** @module Builds the certificate from a host run, digests it, and writes it atomically. */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { basename, join } from "node:path";
import { CERTIFICATE_SCHEMA_ID, Certificate as CertificateSchema, type Certificate, type CheckRecord, type SurfaceName } from "../contracts/certificate.ts";
import { appendHistory, historyEntry } from "./history.ts";
import { isPartial } from "./rerun.ts";
import type { Standard } from "../contracts/standard.ts";
import { canonicalJson, sha256Hex } from "./canonical-json.ts";
import { serverText, serverTextOrNull } from "./server-text.ts";
import { HARNESS_VERSION } from "./version.ts";
import { countStatuses, verdictFor } from "./verdict.ts";

export const DEFAULT_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

export interface CertificateInput {
  readonly host: { name: string; url: string; lmstudioVersion: string | null; surfaces: readonly SurfaceName[] };
  readonly standard: Standard;
  readonly checks: readonly CheckRecord[];
  readonly selected: readonly string[];
  readonly deselected: readonly string[];
  readonly mutationsAllowed: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly validityMs?: number;
  readonly mutations: Certificate["mutations"];
  /** The run was interrupted (Ctrl-C, SIGTERM) at this time: recorded so nobody takes it for a baseline. */
  readonly interruptedAt?: Date | null;
  /** `--rerun-failed`: the certificate this run completes. */
  readonly rerunOf?: Certificate | null;
}

export function buildCertificate(input: CertificateInput): Certificate {
  const body: Omit<Certificate, "digest"> = {
    $schema: CERTIFICATE_SCHEMA_ID,
    schemaVersion: 1,
    // The version string comes from the host; the mutation detail names instance ids the host chose.
    host: { ...input.host, lmstudioVersion: serverTextOrNull(input.host.lmstudioVersion, 128), surfaces: [...input.host.surfaces] },
    standard: {
      name: input.standard.standard,
      version: input.standard.version,
      sha256: standardDigest(input.standard),
    },
    harness: { name: "lmcert", version: HARNESS_VERSION },
    run: {
      selectedChecks: [...input.selected],
      skippedChecks: [...input.deselected],
      mutationsAllowed: input.mutationsAllowed,
      ...(input.rerunOf ? { rerunOf: { digest: input.rerunOf.digest, finishedAt: input.rerunOf.finishedAt } } : {}),
    },
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    // Evidence carried over from an earlier run is as old as that run: the certificate expires with its oldest part.
    validUntil: new Date(oldestEvidence(input.checks, input.finishedAt).getTime() + (input.validityMs ?? DEFAULT_VALIDITY_MS)).toISOString(),
    verdict: verdictFor(input.checks),
    counts: countStatuses(input.checks),
    checks: [...input.checks],
    mutations: { ...input.mutations, detail: serverText(input.mutations.detail, 4096) },
    ...(input.interruptedAt
      ? { interrupted: { at: input.interruptedAt.toISOString(), detail: "the run was interrupted (Ctrl-C or SIGTERM); checks that had not finished are recorded as errors" } }
      : {}),
  };
  return { ...body, digest: certificateDigest(body) };
}

/** A fleet certifies every host against the same parsed standard: its digest is computed once per object. */
const standardDigests = new WeakMap<Standard, string>();

function standardDigest(standard: Standard): string {
  let digest = standardDigests.get(standard);
  if (digest === undefined) standardDigests.set(standard, (digest = sha256Hex(canonicalJson(standard))));
  return digest;
}

function oldestEvidence(checks: readonly CheckRecord[], finishedAt: Date): Date {
  const times = checks.flatMap((c) => (c.carriedOver ? [Date.parse(c.carriedOver.at)] : []));
  return new Date(Math.min(finishedAt.getTime(), ...times));
}

/** sha256 over the canonical JSON of everything except `digest` and `signature`. */
export function certificateDigest(certificate: Omit<Certificate, "digest" | "signature"> & Partial<Certificate>): string {
  const { digest: _digest, signature: _signature, ...body } = certificate;
  return `sha256:${sha256Hex(canonicalJson(body))}`;
}

/** A folder-safe name for a host: its inventory name, else host_port from the URL. */
export function hostSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_");
}

export interface WrittenCertificate {
  readonly path: string;
  readonly latest: string;
  /** Why `latest.json` was left as it was (a partial run never replaces a complete one), or null if it was written. */
  readonly latestKept: string | null;
}

/**
 * Writes `<dir>/<host>/<timestamp>.json` and `<dir>/<host>/latest.json`, each via temp file + rename, so a reader
 * never sees half a certificate, and adds the run to `<host>/history.jsonl`. A partial result (interrupted, or
 * required checks left out) never replaces a complete `latest.json`: that file is the baseline `diff` and the
 * nightly job read.
 */
export function writeCertificate(dir: string, certificate: Certificate): WrittenCertificate {
  const hostDir = join(dir, hostSlug(certificate.host.name));
  mkdirSync(hostDir, { recursive: true });
  const stamp = certificate.finishedAt.replace(/[:.]/g, "-");
  const text = `${JSON.stringify(certificate, null, 2)}\n`;
  const path = join(hostDir, `${stamp}.json`);
  const latest = join(hostDir, "latest.json");
  writeAtomic(path, text);
  const partial = isPartial(certificate);
  const latestKept = partial && holdsCompleteCertificate(latest) ? `${latest} holds a complete result and this run is partial (${certificate.interrupted ? "interrupted" : "required checks not run"}); it was left as it was` : null;
  if (!latestKept) writeAtomic(latest, text);
  appendHistory(hostDir, historyEntry(certificate, basename(path), partial));
  return { path, latest, latestKept };
}

function holdsCompleteCertificate(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const parsed = CertificateSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success && !isPartial(parsed.data);
  } catch {
    return false;
  }
}

/** Writes to a temporary file and renames it into place, so a reader never sees half a file. */
export function writeAtomic(path: string, content: string | Iterable<string>): void {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  if (typeof content === "string") {
    writeFileSync(temp, content, { mode: 0o644 });
  } else {
    // Piece by piece: a large report never exists as one string.
    const fd = openSync(temp, "w", 0o644);
    try {
      for (const piece of content) writeSync(fd, piece);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    } finally {
      closeSync(fd);
    }
  }
  renameSync(temp, path);
}
