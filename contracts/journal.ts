/**
 * @module The restore journal: written before every mutation, so `lmcert restore <journal>` can put a host back
 * even after the process was killed with -9.
 */
import { z } from "zod";

export const JOURNAL_SCHEMA_ID = "https://lmcert.dev/schemas/restore-journal/v1";

export const SnapshotInstance = z.strictObject({
  /** Instance id as clients address it (`key`, `key:2`, or a custom identifier). */
  id: z.string().min(1),
  model: z.string().min(1),
  contextLength: z.number().int().positive().nullable(),
});
export type SnapshotInstance = z.infer<typeof SnapshotInstance>;

export const RestoreJournal = z
  .strictObject({
    $schema: z.literal(JOURNAL_SCHEMA_ID),
    host: z.strictObject({ name: z.string(), url: z.url() }),
    /** The environment variable holding the token, never the token. */
    tokenEnv: z.string().nullable(),
    driver: z.enum(["rest-v1", "sdk"]),
    createdAt: z.iso.datetime(),
    /** The loaded instances before lmcert's first mutation: the state to return to. */
    snapshot: z.array(SnapshotInstance),
    mutations: z.array(
      z.strictObject({
        at: z.iso.datetime(),
        action: z.enum(["load", "unload", "jit-request"]),
        model: z.string().nullable(),
        /** Null while a load is in flight (or if it never landed): `lmcert restore` then waits for it. */
        instanceId: z.string().nullable(),
        /**
         * Loads only: how a load ended, once it has. Absent while the request is in flight: after a kill -9 that is
         * a *pending* load, which may still land. `gave-up`: lmcert stopped waiting for the answer; it may still land.
         * JIT requests (a chat that may load its model) are journaled the same way; `ended`: the answer came, so
         * whatever it loaded is already visible to a restore.
         */
        outcome: z.enum(["landed", "refused", "gave-up", "ended"]).optional(),
        /**
         * Loads only: until when a pending load may still land, from the standard's lifecycle.loadTimeoutSeconds.
         * `lmcert restore` waits for it to land (then unloads it) until this time, and only then calls the host restored.
         */
        waitUntil: z.iso.datetime().optional(),
      }),
    ),
    status: z.enum(["open", "restored", "failed"]),
    /** Why the restore failed, or what it had to wait for (for the operator reading the file). */
    note: z.string().optional(),
  })
  .meta({ id: "lmcert.RestoreJournal", title: "lmcert restore journal" });

export type RestoreJournal = z.infer<typeof RestoreJournal>;
