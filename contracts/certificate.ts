/** @module The certificate: the signed-off record of one run against one host (DESIGN.md "Certificate"). */
import { z } from "zod";
import { ContainerRecord } from "./container.ts";

export const CERTIFICATE_SCHEMA_ID = "https://lmcert.dev/schemas/certificate/v1";

export const CheckStatus = z.enum(["passed", "failed", "inconclusive", "skipped", "error"]);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const Verdict = z.enum(["certified", "not-certified", "incomplete"]);
export type Verdict = z.infer<typeof Verdict>;

export const SurfaceName = z.enum(["openai", "rest-v0", "rest-v1", "sdk"]);
export type SurfaceName = z.infer<typeof SurfaceName>;

/** One HTTP exchange as evidence. Authorization is always redacted before it gets here. */
export const Evidence = z.strictObject({
  method: z.string(),
  url: z.string(),
  status: z.number().int().nullable(),
  headers: z.record(z.string(), z.string()),
  bodyExcerpt: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nonnegative(),
});
export type Evidence = z.infer<typeof Evidence>;

export const CheckRecord = z.strictObject({
  id: z.string(),
  title: z.string(),
  must: z.string(),
  required: z.boolean(),
  status: CheckStatus,
  reason: z.string(),
  observed: z.record(z.string(), z.unknown()),
  evidence: z.array(Evidence),
  remedy: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  /**
   * Set when `certify --rerun-failed` did not run this check again and kept its earlier pass: `from` is the digest
   * of the certificate it came from, `at` when that run finished (the age of the evidence).
   */
  carriedOver: z.strictObject({ from: z.string(), at: z.iso.datetime() }).optional(),
});
export type CheckRecord = z.infer<typeof CheckRecord>;

export const Certificate = z
  .strictObject({
    $schema: z.literal(CERTIFICATE_SCHEMA_ID),
    schemaVersion: z.literal(1),
    host: z.strictObject({
      name: z.string(),
      url: z.string(),
      lmstudioVersion: z.string().nullable(),
      surfaces: z.array(SurfaceName),
      /** Present when lmcert started the host itself from an image (`certify --container`, inventory `container:`). */
      container: ContainerRecord.optional(),
    }),
    standard: z.strictObject({ name: z.string(), version: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    harness: z.strictObject({ name: z.literal("lmcert"), version: z.string() }),
    run: z.strictObject({
      selectedChecks: z.array(z.string()),
      skippedChecks: z.array(z.string()),
      mutationsAllowed: z.boolean(),
      /** `certify --rerun-failed`: the certificate this run completed (its passes are carried over). */
      rerunOf: z.strictObject({ digest: z.string(), finishedAt: z.iso.datetime() }).optional(),
    }),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    validUntil: z.iso.datetime(),
    verdict: Verdict,
    counts: z.strictObject({
      passed: z.number().int(),
      failed: z.number().int(),
      inconclusive: z.number().int(),
      skipped: z.number().int(),
      error: z.number().int(),
    }),
    checks: z.array(CheckRecord),
    /** What lmcert changed on the host and whether it put everything back (only with --allow-mutations). */
    mutations: z.strictObject({
      driver: z.enum(["rest-v1", "sdk"]).nullable(),
      performed: z.boolean(),
      restore: z.enum(["not-needed", "restored", "failed"]),
      detail: z.string(),
      journal: z.string().nullable(),
    }),
    /** Present only when the run was interrupted (Ctrl-C, SIGTERM): its results are partial, never a baseline. */
    interrupted: z.strictObject({ at: z.iso.datetime(), detail: z.string() }).optional(),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    signature: z
      .strictObject({ alg: z.literal("ed25519"), keyId: z.string(), value: z.string() })
      .optional(),
  })
  .meta({ id: "lmcert.Certificate", title: "lmcert certificate" });

export type Certificate = z.infer<typeof Certificate>;
