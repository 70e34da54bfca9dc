/** @module The restore journal on disk: written atomically before every mutation, read back by `lmcert restore`. */
import { readFileSync } from "node:fs";
import { JOURNAL_SCHEMA_ID, RestoreJournal, type SnapshotInstance } from "../../contracts/journal.ts";
import { writeAtomic } from "../certificate.ts";
import { UsageError } from "../errors.ts";
import { describeIssues, describeReadError } from "../input-errors.ts";
import type { DriverName } from "./driver.ts";

type Mutation = RestoreJournal["mutations"][number];

/**
 * Journals still open in this process, for the second Ctrl-C: when the user abandons a restore, lmcert prints
 * where each journal is and the exact `lmcert restore` command before it exits.
 */
const OPEN_JOURNALS = new Set<JournalFile>();

export function openJournalPaths(): string[] {
  return [...OPEN_JOURNALS].map((j) => j.path);
}

export class JournalFile {
  readonly path: string;
  #journal: RestoreJournal;

  constructor(path: string, journal: RestoreJournal) {
    this.path = path;
    this.#journal = journal;
    if (journal.status === "open") OPEN_JOURNALS.add(this);
    this.#write();
  }

  static create(path: string, init: { host: { name: string; url: string }; tokenEnv: string | null; driver: DriverName; snapshot: SnapshotInstance[] }): JournalFile {
    return new JournalFile(path, { $schema: JOURNAL_SCHEMA_ID, ...init, createdAt: new Date().toISOString(), mutations: [], status: "open" });
  }

  /**
   * Called *before* the mutation is sent, so a crash mid-request still leaves a record of it. Returns the entry's
   * index, for `settle` once the request has ended.
   */
  record(action: Mutation["action"], model: string | null, instanceId: string | null, extra: Pick<Mutation, "waitUntil"> = {}): number {
    const entry: Mutation = { at: new Date().toISOString(), action, model, instanceId, ...extra };
    this.#journal = { ...this.#journal, mutations: [...this.#journal.mutations, entry] };
    this.#write();
    return this.#journal.mutations.length - 1;
  }

  /** Records how a journaled mutation ended (a load that landed, was refused, or was given up on). */
  settle(index: number, patch: Pick<Mutation, "instanceId" | "outcome" | "waitUntil">): void {
    const mutations = this.#journal.mutations.map((m, i) => (i === index ? { ...m, ...patch } : m));
    this.#journal = { ...this.#journal, mutations };
    this.#write();
  }

  close(status: "restored" | "failed", note?: string): void {
    this.#journal = { ...this.#journal, status, ...(note ? { note } : {}) };
    OPEN_JOURNALS.delete(this);
    this.#write();
  }

  #write(): void {
    writeAtomic(this.path, `${JSON.stringify(this.#journal, null, 2)}\n`);
  }
}

export function readJournal(path: string): RestoreJournal {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new UsageError(`Restore journal: ${describeReadError(path, cause)}`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new UsageError(`Restore journal ${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = RestoreJournal.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeIssues(`Restore journal ${path}`, parsed.error));
  return parsed.data;
}

/**
 * A load (or a chat that may JIT-load its model) whose answer lmcert never saw, in flight at kill -9 or given up
 * on: it may still land on the host.
 */
export interface PendingLoad {
  readonly model: string;
  /** Epoch ms: wait for it to land until then. */
  readonly waitUntil: number;
}

export function pendingLoadsIn(journal: RestoreJournal, loadTimeoutMs: number): PendingLoad[] {
  return journal.mutations
    .filter((m) => (m.action === "load" || m.action === "jit-request") && m.model !== null && m.instanceId === null)
    .filter((m) => m.outcome === undefined || m.outcome === "gave-up")
    // A JIT request journaled before `waitUntil` existed cannot say how long to wait: it is not waited for.
    .filter((m) => m.action === "load" || m.waitUntil !== undefined)
    .map((m) => ({
      model: m.model as string,
      // Journals written before `waitUntil` existed: the load's start plus the restore's own load timeout.
      waitUntil: m.waitUntil ? Date.parse(m.waitUntil) : Date.parse(m.at) + loadTimeoutMs,
    }));
}

/** A journal read back from disk, to mark it restored or failed. */
export function reopenJournal(path: string, journal: RestoreJournal): JournalFile {
  return new JournalFile(path, journal);
}
