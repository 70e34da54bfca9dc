/** @module Puts a host back to a snapshot: unload what was added, reload what was removed with the same config. */
import type { SnapshotInstance } from "../../contracts/journal.ts";
import { describeError } from "../errors.ts";
import type { ModelDriver } from "./driver.ts";
import type { PendingLoad } from "./journal.ts";
import { pollUntil } from "./poll.ts";

export interface RestoreOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly unloaded: readonly string[];
  readonly reloaded: readonly string[];
}

function ids(list: readonly SnapshotInstance[]): string[] {
  return list.map((i) => i.id).sort();
}

export async function restoreSnapshot(driver: ModelDriver, snapshot: readonly SnapshotInstance[]): Promise<RestoreOutcome> {
  const unloaded: string[] = [];
  const reloaded: string[] = [];
  const problems: string[] = [];
  try {
    const current = await driver.listLoaded();
    const wanted = new Set(snapshot.map((s) => s.id));
    for (const extra of current.filter((c) => !wanted.has(c.id))) {
      try {
        await driver.unload(extra.id);
        unloaded.push(extra.id);
      } catch (error) {
        problems.push(`could not unload ${extra.id}: ${describeError(error)}`);
      }
    }
    const present = new Set(current.map((c) => c.id));
    for (const missing of snapshot.filter((s) => !present.has(s.id))) {
      try {
        await driver.load(missing.model, { contextLength: missing.contextLength, identifier: missing.id });
        reloaded.push(missing.id);
      } catch (error) {
        problems.push(`could not reload ${missing.id}: ${describeError(error)}`);
      }
    }
    const after = ids(await driver.listLoaded());
    const before = ids(snapshot);
    if (after.join("\n") !== before.join("\n")) problems.push(`loaded now [${after.join(", ")}], before [${before.join(", ")}]`);
  } catch (error) {
    problems.push(describeError(error));
  }
  const changed = unloaded.length + reloaded.length;
  return {
    ok: problems.length === 0,
    detail:
      problems.length > 0
        ? `RESTORE FAILED: ${problems.join("; ")}`
        : changed === 0
          ? "the loaded set already matched the snapshot"
          : `restored: unloaded [${unloaded.join(", ")}], reloaded [${reloaded.join(", ")}]`,
    unloaded,
    reloaded,
  };
}

export interface PendingWait {
  /** Models whose pending load landed while we waited (restore then unloads them). */
  readonly landed: readonly string[];
  /** Models whose pending load had not landed when its wait budget ran out. */
  readonly notLanded: readonly string[];
  /** Set when the host could not be asked: the wait ended early. */
  readonly unreachable: string | null;
}

/**
 * Waits until every pending load has landed (an instance of its model that is not in the snapshot), or until the
 * last load's `waitUntil` has passed. A load in flight when lmcert died lands seconds later: restoring before it
 * does would call the host restored and then leave the model loaded (issue 15.1).
 */
export async function awaitPendingLoads(driver: ModelDriver, snapshot: readonly SnapshotInstance[], pending: readonly PendingLoad[]): Promise<PendingWait> {
  if (pending.length === 0) return { landed: [], notLanded: [], unreachable: null };
  const known = new Set(snapshot.map((i) => i.id));
  let unreachable: string | null = null;
  const read = async (): Promise<SnapshotInstance[] | null> => {
    try {
      return await driver.listLoaded();
    } catch (error) {
      unreachable = describeError(error);
      return null;
    }
  };
  const landedModels = (now: readonly SnapshotInstance[]) => {
    const extra = new Map<string, number>();
    for (const i of now) if (!known.has(i.id)) extra.set(i.model, (extra.get(i.model) ?? 0) + 1);
    return pending.filter((p) => {
      const left = extra.get(p.model) ?? 0;
      if (left > 0) extra.set(p.model, left - 1);
      return left > 0;
    });
  };
  const deadline = Math.max(...pending.map((p) => p.waitUntil));
  const poll = await pollUntil(
    read,
    // An unreachable host ends the wait: restore then reports the failure instead of hanging.
    (now) => now === null || landedModels(now).length === pending.length,
    { timeoutMs: Math.max(0, deadline - Date.now()), maxDelayMs: 250 },
  );
  const landed = poll.last ? landedModels(poll.last) : [];
  const landedSet = new Set(landed);
  return { landed: landed.map((p) => p.model), notLanded: pending.filter((p) => !landedSet.has(p)).map((p) => p.model), unreachable };
}
