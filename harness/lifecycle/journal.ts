/** @module The restore journal on disk: written atomically before every mutation, read back by `lmcert restore`. */
import { readFileSync } from "node:fs";
import { JOURNAL_SCHEMA_ID, RestoreJournal, type SnapshotInstance } from "../../contracts/journal.ts";
import { writeAtomic } from "../certificate.ts";
import { UsageError } from "../errors.ts";
import { describeIssues, describeReadError } from "../input-errors.ts";
import type { DriverName } from "./driver.ts";

export class JournalFile {
  readonly path: string;
  #journal: RestoreJournal;

  constructor(path: string, journal: RestoreJournal) {
    this.path = path;
    this.#journal = journal;
    this.#write();
  }

  static create(path: string, init: { host: { name: string; url: string }; tokenEnv: string | null; driver: DriverName; snapshot: SnapshotInstance[] }): JournalFile {
    return new JournalFile(path, { $schema: JOURNAL_SCHEMA_ID, ...init, createdAt: new Date().toISOString(), mutations: [], status: "open" });
  }

  /** Called *before* the mutation is sent, so a crash mid-request still leaves a record of it. */
  record(action: RestoreJournal["mutations"][number]["action"], model: string | null, instanceId: string | null): void {
    this.#journal = { ...this.#journal, mutations: [...this.#journal.mutations, { at: new Date().toISOString(), action, model, instanceId }] };
    this.#write();
  }

  close(status: "restored" | "failed"): void {
    this.#journal = { ...this.#journal, status };
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

/** A journal read back from disk, to mark it restored or failed. */
export function reopenJournal(path: string, journal: RestoreJournal): JournalFile {
  return new JournalFile(path, journal);
}
