/** @module Puts a host back to a snapshot: unload what was added, reload what was removed with the same config. */
import type { SnapshotInstance } from "../../contracts/journal.ts";
import { describeError } from "../errors.ts";
import type { ModelDriver } from "./driver.ts";

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
