/**
 * @module The mutation session: the snapshot taken before lmcert's first change to a host, every change journaled
 * before it is made, and the restore that puts the host back.
 */
import type { SnapshotInstance } from "../../contracts/journal.ts";
import { DriverError, type ModelDriver, type LoadResult } from "./driver.ts";
import type { HostLock } from "./host-lock.ts";
import { JournalFile, type PendingLoad } from "./journal.ts";
import { awaitPendingLoads, restoreSnapshot, type RestoreOutcome } from "./restore.ts";

export interface SessionTarget {
  readonly host: { readonly name: string; readonly url: string };
  readonly tokenEnv: string | null;
  readonly journalPath: string;
  /**
   * The standard's lifecycle.loadTimeoutSeconds, in ms: how long a load may take. A load lmcert gave up on is
   * waited for this long again (it may still land) before the host is called restored.
   */
  readonly loadTimeoutMs: number;
  /** This server's mutation lock, released when the session finishes. */
  readonly lock?: HostLock;
}

/** Thrown when a check that outlived its deadline tries to change the host after the final restore began. */
export class SessionClosedError extends Error {
  constructor(what: string) {
    super(`${what} not sent: the run's mutation session is closed (the final restore has begun)`);
    this.name = "SessionClosedError";
  }
}

export class MutationSession {
  readonly driver: ModelDriver;
  readonly snapshot: readonly SnapshotInstance[];
  readonly journal: JournalFile;
  /** The instance lifecycle.load loaded, for lifecycle.unload to unload (checks share nothing else). */
  lifecycleInstance: { readonly model: string; readonly instanceId: string } | null = null;
  #performed = false;
  #closed = false;
  /** Load requests still waiting for the host's answer, with the model each one loads. */
  readonly #inflight = new Map<Promise<unknown>, string>();
  /** Loads whose answer lmcert stopped waiting for: they may still land. */
  #gaveUp: PendingLoad[] = [];
  /** Restores run one at a time: a check's own restore and the final one must not interleave. */
  #restoring: Promise<unknown> = Promise.resolve();
  readonly #loadTimeoutMs: number;
  readonly #lock: HostLock | null;

  private constructor(driver: ModelDriver, snapshot: SnapshotInstance[], journal: JournalFile, target: SessionTarget) {
    this.driver = driver;
    this.snapshot = snapshot;
    this.journal = journal;
    this.#loadTimeoutMs = target.loadTimeoutMs;
    this.#lock = target.lock ?? null;
  }

  /** Set when this session took over a dead process's lock on the server. */
  get lockNote(): string | null {
    return this.#lock?.note ?? null;
  }

  /** Snapshots the loaded instances and writes the journal; nothing has been changed yet. */
  static async begin(driver: ModelDriver, target: SessionTarget): Promise<MutationSession> {
    const snapshot = await driver.listLoaded();
    const journal = JournalFile.create(target.journalPath, { host: target.host, tokenEnv: target.tokenEnv, driver: driver.name, snapshot });
    return new MutationSession(driver, snapshot, journal, target);
  }

  get performed(): boolean {
    return this.#performed;
  }

  /** A load lmcert sent has not ended, or ended without an answer: the host may still change on its own. */
  get hasPendingLoads(): boolean {
    return this.#inflight.size > 0 || this.#gaveUp.length > 0;
  }

  /**
   * A load of `model` that lmcert sent is still on its way, or lmcert gave up on it and no restore has seen it land
   * yet: until then, `model` appearing on the host may be lmcert's own doing, never evidence against the host.
   */
  hasPendingLoadOf(model: string): boolean {
    return [...this.#inflight.values()].includes(model) || this.#gaveUp.some((p) => p.model === model);
  }

  async load(model: string, options: { contextLength?: number | null } = {}): Promise<LoadResult> {
    if (this.#closed) throw new SessionClosedError(`load of ${model}`);
    // The wait budget goes into the journal first: after a kill -9, `lmcert restore` knows how long to wait.
    const index = this.journal.record("load", model, null, { waitUntil: new Date(Date.now() + this.#loadTimeoutMs).toISOString() });
    this.#performed = true;
    const request = this.driver.load(model, options);
    this.#inflight.set(request, model);
    try {
      const result = await request;
      this.journal.settle(index, { instanceId: result.instanceId, outcome: "landed" });
      return result;
    } catch (error) {
      if (error instanceof DriverError) {
        this.journal.settle(index, { instanceId: null, outcome: "refused" });
      } else {
        // A load we stopped waiting for may still finish on the host: restore must wait for it, and undo it.
        const waitUntil = Date.now() + this.#loadTimeoutMs;
        this.#gaveUp.push({ model, waitUntil });
        this.journal.settle(index, { instanceId: null, outcome: "gave-up", waitUntil: new Date(waitUntil).toISOString() });
      }
      throw error;
    } finally {
      this.#inflight.delete(request);
    }
  }

  async unload(instanceId: string): Promise<void> {
    if (this.#closed) throw new SessionClosedError(`unload of ${instanceId}`);
    this.journal.record("unload", null, instanceId);
    this.#performed = true;
    await this.driver.unload(instanceId);
  }

  /**
   * An inference request that may JIT-load a model is a mutation too: journaled before it is sent, with the same
   * wait budget as a load, so a restore after kill -9 waits for what it may load. Call the returned function when
   * the request has ended (`ended`) or lmcert stopped waiting for it (`gave-up`: the model may still load).
   */
  noteJitRequest(model: string): (how: "ended" | "gave-up") => void {
    const index = this.journal.record("jit-request", model, null, { waitUntil: new Date(Date.now() + this.#loadTimeoutMs).toISOString() });
    this.#performed = true;
    return (how) => {
      if (how === "ended") {
        this.journal.settle(index, { instanceId: null, outcome: "ended" });
        return;
      }
      const waitUntil = Date.now() + this.#loadTimeoutMs;
      this.#gaveUp.push({ model, waitUntil });
      this.journal.settle(index, { instanceId: null, outcome: "gave-up", waitUntil: new Date(waitUntil).toISOString() });
    };
  }

  /** Back to the snapshot. Safe to call after every mutating check and again at the end. */
  restore(): Promise<RestoreOutcome> {
    const run = this.#restoring.then(() => this.#restoreNow());
    this.#restoring = run.catch(() => undefined);
    return run;
  }

  /**
   * The final restore: no mutation is sent after this (a check that outlived its deadline gets SessionClosedError),
   * every load lmcert started is waited for and undone, then the journal is closed.
   */
  async finish(): Promise<RestoreOutcome> {
    this.#closed = true;
    try {
      const outcome = await this.restore();
      this.journal.close(outcome.ok ? "restored" : "failed", outcome.ok ? undefined : outcome.detail);
      return outcome;
    } finally {
      this.#lock?.release();
    }
  }

  async #restoreNow(): Promise<RestoreOutcome> {
    // Loads still in flight end by themselves: the driver gives each one the standard's load timeout.
    await Promise.allSettled([...this.#inflight.keys()]);
    const pending = this.#gaveUp;
    this.#gaveUp = [];
    const wait = await awaitPendingLoads(this.driver, this.snapshot, pending);
    const outcome = await restoreSnapshot(this.driver, this.snapshot);
    if (wait.notLanded.length === 0) return outcome;
    // A load that has not landed yet may still land: it stays on the watch list, so the next restore (the final one
    // at the latest) looks for it again instead of forgetting it.
    const notLanded = [...wait.notLanded];
    this.#gaveUp = [
      ...pending.filter((p) => {
        const at = notLanded.indexOf(p.model);
        if (at >= 0) notLanded.splice(at, 1);
        return at >= 0;
      }),
      ...this.#gaveUp,
    ];
    const waited = wait.unreachable === null
      ? `waited ${Math.round(this.#loadTimeoutMs / 1000)} s (lifecycle.loadTimeoutSeconds) for the load of ${wait.notLanded.join(", ")} that lmcert gave up on, and it has not landed`
      : `could not watch for the load of ${wait.notLanded.join(", ")} that lmcert gave up on (${wait.unreachable})`;
    if (!this.#closed) return { ...outcome, detail: `${outcome.detail}; ${waited} (still watched)` };
    // The final restore cannot vouch for a host that a load of lmcert's may still change: never "restored" then
    // (issue 15.2). The journal stays unfinished, so the next run and `lmcert restore` pick it up.
    return {
      ...outcome,
      ok: false,
      detail: `${outcome.ok ? "RESTORE UNCONFIRMED" : outcome.detail}: ${waited}; it may still land. Check the host later with \`lmcert restore ${this.journal.path}\` (it unloads what lmcert loaded), or \`lms ps\` on the host`,
    };
  }
}
