/** @module The team standard: the YAML file every host is certified against (DESIGN.md "Standard file"). */
import { z } from "zod";
import { ByteSize } from "./units.ts";

export const ListingSemantics = z.enum(["loaded-only", "all-available"]);
export type ListingSemantics = z.infer<typeof ListingSemantics>;

/** Strict objects: a misspelt key in a standard is a user error, never silently ignored. */
export const Standard = z
  .strictObject({
    standard: z.string().min(1),
    version: z.number().int().positive(),
    listing: ListingSemantics.default("loaded-only"),
    cors: z.enum(["any-origin", "disabled"]).default("any-origin"),
    bind: z
      .strictObject({
        address: z.string().min(1).default("0.0.0.0"),
        port: z.number().int().min(1).max(65535).default(1234),
      })
      .default({ address: "0.0.0.0", port: 1234 }),
    auth: z.enum(["none", "token"]).default("none"),
    models: z.strictObject({ required: z.array(z.string().min(1)).default([]) }).default({ required: [] }),
    memory: z
      .strictObject({ maxLoadedBytes: ByteSize.nullable().default(null) })
      .default({ maxLoadedBytes: null }),
    lifecycle: z
      .strictObject({
        model: z.string().min(1).nullable().default(null),
        loadTimeoutSeconds: z.number().positive().default(120),
        /** Whether loading an already-loaded model may stack a `<key>:2` instance (LM Studio does by default). */
        allowDuplicateInstances: z.boolean().default(false),
      })
      .default({ model: null, loadTimeoutSeconds: 120, allowDuplicateInstances: false }),
  })
  .meta({ id: "lmcert.Standard", title: "lmcert standard file" });

export type Standard = z.infer<typeof Standard>;
