/**
 * @module A mutation session: the snapshot taken before lmcert's first change to a host, every change journaled
 * before it is made, and the restore that puts the host back.
 */
import type { SnapshotInstance } from "../../contracts/journal.ts";
import { DriverError, type ModelDriver, type LoadResult } from "./driver.ts";
import { pollUntil } from "./poll.ts";
import { JournalFile } from "./journal.ts";
import { restoreSnapshot, type RestoreOutcome } from "./restore.ts";

export interface SessionTarget {
  readonly host: { readonly name: string; readonly url: string };
  readonly tokenEnv: string | null;
  readonly journalPath: string;
  /** How long restore waits for a timed-out load to land on the host before declaring the host restored. */
  readonly lateLoadWaitMs: number;
}

export class MutationSession {
  readonly driver: ModelDriver;
  readonly snapshot: readonly SnapshotInstance[];
  readonly journal: JournalFile;
  /** The instance lifecycle.load loaded, for lifecycle.unload to unload (checks share nothing else). */
  lifecycleInstance: { readonly model: string; readonly instanceId: string } | null = null;
  #performed = false;
  readonly #pendingLoads = new Set<string>();
  readonly #lateLoadWaitMs: number;

  private constructor(driver: ModelDriver, snapshot: SnapshotInstance[], journal: JournalFile, lateLoadWaitMs: number) {
    this.driver = driver;
    this.snapshot = snapshot;
    this.journal = journal;
    this.#lateLoadWaitMs = lateLoadWaitMs;
  }

  /** Snapshots the loaded instances and writes the journal; nothing has been changed yet. */
  static async begin(driver: ModelDriver, target: SessionTarget): Promise<MutationSession> {
    const snapshot = await driver.listLoaded();
    const journal = JournalFile.create(target.journalPath, { host: target.host, tokenEnv: target.tokenEnv, driver: driver.name, snapshot });
    return new MutationSession(driver, snapshot, journal, target.lateLoadWaitMs);
  }

  get performed(): boolean {
    return this.#performed;
  }

  async load(model: string, options: { contextLength?: number | null } = {}): Promise<LoadResult> {
    this.journal.record("load", model, null);
    this.#performed = true;
    try {
      return await this.driver.load(model, options);
    } catch (error) {
      // A load we stopped waiting for may still finish on the host: restore must watch for it.
      if (!(error instanceof DriverError)) this.#pendingLoads.add(model);
      throw error;
    }
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
    if (this.#pendingLoads.size > 0) await this.#awaitLateLoads();
    return restoreSnapshot(this.driver, this.snapshot);
  }

  /** Waits (bounded) until every load we gave up on has landed, so restore can unload it too. */
  async #awaitLateLoads(): Promise<void> {
    const known = new Set(this.snapshot.map((i) => i.id));
    const pending = [...this.#pendingLoads];
    await pollUntil(
      () => this.driver.listLoaded().catch(() => null),
      // An unreachable host ends the wait: restore will then report the failure instead of hanging.
      (now) => now === null || pending.every((model) => now.some((i) => i.model === model && !known.has(i.id))),
      { timeoutMs: this.#lateLoadWaitMs, maxDelayMs: 250 },
    );
    this.#pendingLoads.clear();
  }
}
