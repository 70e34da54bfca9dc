/**
 * @module A mutation session: the snapshot taken before lmcert's first change to a host, every change journaled
 * before it is made, and the restore that puts the host back.
 */
import type { SnapshotInstance } from "../../contracts/journal.ts";
import type { ModelDriver, LoadResult } from "./driver.ts";
import { JournalFile } from "./journal.ts";
import { restoreSnapshot, type RestoreOutcome } from "./restore.ts";

export interface SessionTarget {
  readonly host: { readonly name: string; readonly url: string };
  readonly tokenEnv: string | null;
  readonly journalPath: string;
}

export class MutationSession {
  readonly driver: ModelDriver;
  readonly snapshot: readonly SnapshotInstance[];
  readonly journal: JournalFile;
  /** The instance lifecycle.load loaded, for lifecycle.unload to unload (checks share nothing else). */
  lifecycleInstance: { readonly model: string; readonly instanceId: string } | null = null;
  #performed = false;

  private constructor(driver: ModelDriver, snapshot: SnapshotInstance[], journal: JournalFile) {
    this.driver = driver;
    this.snapshot = snapshot;
    this.journal = journal;
  }

  /** Snapshots the loaded instances and writes the journal; nothing has been changed yet. */
  static async begin(driver: ModelDriver, target: SessionTarget): Promise<MutationSession> {
    const snapshot = await driver.listLoaded();
    const journal = JournalFile.create(target.journalPath, { host: target.host, tokenEnv: target.tokenEnv, driver: driver.name, snapshot });
    return new MutationSession(driver, snapshot, journal);
  }

  get performed(): boolean {
    return this.#performed;
  }

  async load(model: string, options: { contextLength?: number | null } = {}): Promise<LoadResult> {
    this.journal.record("load", model, null);
    this.#performed = true;
    return this.driver.load(model, options);
  }

  async unload(instanceId: string): Promise<void> {
    this.journal.record("unload", null, instanceId);
    this.#performed = true;
    await this.driver.unload(instanceId);
  }

  /** An inference request that may JIT-load a model is a mutation too. */
  noteJitRequest(model: string): void {
    this.journal.record("jit-request", model, null);
    this.#performed = true;
  }

  /** Back to the snapshot. Safe to call after every mutating check and again at the end. */
  async restore(): Promise<RestoreOutcome> {
    return restoreSnapshot(this.driver, this.snapshot);
  }
}
