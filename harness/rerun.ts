/**
 * @module `certify --rerun-failed`: which checks to run again, and which earlier passes carry over.
 *
 * A rerun runs the checks that did not pass (plus what they need) and keeps the earlier passes it did not touch,
 * each marked `carriedOver: { from, at }` (the earlier certificate's digest and when it finished), so a host that
 * was fixed comes out certified without re-running everything, and nobody mistakes old evidence for new.
 */
import { createPublicKey } from "node:crypto";
import type { Certificate, CheckRecord } from "../contracts/certificate.ts";
import { canonicalJson, sha256Hex } from "./canonical-json.ts";
import { Certificate as CertificateSchema } from "../contracts/certificate.ts";
import { UsageError } from "./errors.ts";
import { parseCertificateText, verifyCertificate } from "./signing.ts";
import type { Standard } from "../contracts/standard.ts";
import type { Check } from "./types.ts";

/**
 * The earlier certificate a rerun builds on, verified exactly as `lmcert verify` does: the digest over the exact
 * parsed members (duplicate keys and `__proto__` refused), not expired, and, when a key is given, signed by it.
 * Its passes are about to be copied into a new certificate (and signed again, with `--sign-key`), so an edited,
 * forged or stale one is refused outright rather than laundered into a fresh CERTIFIED (issue 15, review).
 *
 * `publicPem` is `--rerun-key`, else the public half of `--sign-key`: a run that signs only builds on
 * certificates signed by the same key. Without either, only the digest is checked (anyone who can write the file
 * can recompute a digest, so sign certificates whose reruns must be trusted).
 */
export function verifiedPreviousCertificate(text: string, path: string, options: { publicPem?: string; keySource?: string; now?: Date } = {}): Certificate {
  if (options.publicPem !== undefined) {
    try {
      createPublicKey(options.publicPem);
    } catch (cause) {
      throw new UsageError(`--rerun-failed: ${options.keySource ?? "the key"} is not a public key PEM (${(cause as Error).message})`, { cause });
    }
  }
  const parsed = parseCertificateText(text);
  const verdict = "raw" in parsed ? verifyCertificate(parsed.raw, { ...(options.publicPem ? { publicPem: options.publicPem } : {}), ...(options.now ? { now: options.now } : {}) }) : { valid: false, problems: parsed.problems };
  const cert = "raw" in parsed ? CertificateSchema.safeParse(parsed.raw) : null;
  if (!verdict.valid || !cert?.success) {
    const url = cert?.success ? cert.data.host.url : "<url>";
    const keyNote = options.keySource ? ` (checked against ${options.keySource})` : "";
    throw new UsageError(
      `--rerun-failed: ${path} cannot be built on${keyNote}; its passes are not carried over:\n` +
        verdict.problems.map((p) => `  - ${p}\n`).join("") +
        `Run a full certification instead (the same options, without --rerun-failed): lmcert certify ${url} …`,
    );
  }
  return cert.data;
}

/** The checks that did not pass, plus every check they need (transitively), so they can run at all. */
export function checksToRerun(previous: Certificate, registry: readonly Check[]): string[] {
  const wanted = new Set(previous.checks.filter((c) => c.status !== "passed").map((c) => c.id));
  if (wanted.size === 0) throw new UsageError("--rerun-failed: every check in that certificate passed; nothing to rerun");
  for (let grew = true; grew; ) {
    grew = false;
    for (const check of registry.filter((c) => wanted.has(c.id))) {
      for (const need of check.needs ?? []) {
        if (!wanted.has(need)) {
          wanted.add(need);
          grew = true;
        }
      }
    }
  }
  return registry.map((c) => c.id).filter((id) => wanted.has(id));
}

/** The earlier passes, each marked with where and when it was observed (a pass carried twice keeps its origin). */
export function carriedPasses(previous: Certificate): Map<string, CheckRecord> {
  return new Map(
    previous.checks
      .filter((c) => c.status === "passed")
      .map((c) => [c.id, { ...c, carriedOver: c.carriedOver ?? { from: previous.digest, at: previous.finishedAt } }]),
  );
}

/**
 * Why the earlier passes may not stand for this run, or null when they may: they are only evidence about the same
 * host (URL) judged by the same standard.
 */
export function carryOverRefusal(previous: Certificate, url: string, standard: Standard): string | null {
  if (previous.host.url !== url) return `it certified ${previous.host.url}, not ${url}`;
  const sha = sha256Hex(canonicalJson(standard));
  if (previous.standard.sha256 !== sha) return `it was judged by another standard (${previous.standard.name} v${previous.standard.version}, sha256 ${previous.standard.sha256.slice(0, 12)}…)`;
  if (previous.interrupted) return "that run was interrupted";
  return null;
}

/**
 * A partial result: an interrupted run, or one that left a required check unselected. It must never replace a
 * complete `latest.json` (the baseline `diff` and the nightly job read).
 */
export function isPartial(cert: Certificate): boolean {
  if (cert.interrupted) return true;
  const deselected = new Set(cert.run.skippedChecks);
  return cert.checks.some((c) => c.required && c.status === "skipped" && deselected.has(c.id));
}
