/** @module The fleet roll-up: one line per host plus the cross-host consistency finding. */
import { z } from "zod";
import { CheckStatus, Verdict } from "./certificate.ts";

export const FLEET_SUMMARY_SCHEMA_ID = "https://lmcert.dev/schemas/fleet-summary/v1";

export const HostSummary = z.strictObject({
  name: z.string(),
  url: z.string(),
  verdict: Verdict,
  lmstudioVersion: z.string().nullable(),
  /** listing.matches-standard's observed behaviour: loaded-only, all-available, indeterminate, … */
  listingBehaviour: z.string().nullable(),
  checks: z.record(z.string(), CheckStatus),
  modelsLoaded: z.number().int().nullable(),
  modelsAvailable: z.number().int().nullable(),
  /** Per schema check: payload fields the contract does not know. */
  drift: z.record(z.string(), z.array(z.string())),
  validUntil: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  certificate: z.string().nullable(),
  /** Optional checks that did not pass (warnings: never a failure). Absent in summaries from before 0.2. */
  warnings: z.array(z.string()).optional(),
  /** The host's run was interrupted: its statuses are partial. */
  interrupted: z.boolean().optional(),
  /** Ids of the required checks. Absent in older summaries: `diff` then treats every check not in `warnings` as required. */
  required: z.array(z.string()).optional(),
  /**
   * Checks this run did not select: deselected (--only/--skip, --rerun-failed) or mutating ones without
   * --allow-mutations. `diff` does not compare a check across a change of selection.
   */
  notSelected: z.array(z.string()).optional(),
});
export type HostSummary = z.infer<typeof HostSummary>;

export const FleetSummary = z
  .strictObject({
    $schema: z.literal(FLEET_SUMMARY_SCHEMA_ID),
    generatedAt: z.iso.datetime(),
    inventory: z.string(),
    standard: z.strictObject({ name: z.string(), version: z.number().int(), sha256: z.string() }),
    counts: z.strictObject({ hosts: z.number().int(), certified: z.number().int(), notCertified: z.number().int(), incomplete: z.number().int() }),
    hosts: z.array(HostSummary),
    /** The fleet run was interrupted (Ctrl-C, SIGTERM): `lmcert diff` refuses it as a baseline or a result. */
    interrupted: z.boolean().optional(),
    consistency: z.strictObject({
      consistent: z.boolean(),
      findings: z.array(z.string()),
      /** Host names by listing behaviour. */
      listing: z.record(z.string(), z.array(z.string())),
    }),
  })
  .meta({ id: "lmcert.FleetSummary", title: "lmcert fleet summary" });
export type FleetSummary = z.infer<typeof FleetSummary>;
