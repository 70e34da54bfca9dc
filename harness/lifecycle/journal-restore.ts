/**
 * @module Finishes a restore from a journal on disk: the work of `lmcert restore <journal>` and of
 * `certify --restore-first`. A load still pending in the journal is waited for (until its `waitUntil`) and undone
 * before the host is called restored (issue 15.1).
 */
import type { RestoreJournal } from "../../contracts/journal.ts";
import { discover } from "../discovery.ts";
import { HttpClient } from "../http/client.ts";
import { acquireHostLock } from "./host-lock.ts";
import { pendingLoadsIn, reopenJournal } from "./journal.ts";
import { pickDriver } from "./pick-driver.ts";
import { awaitPendingLoads, restoreSnapshot } from "./restore.ts";

export interface JournalRestoreResult {
  readonly ok: boolean;
  readonly detail: string;
  /** Things the operator should know that are not failures (driver change, a stale lock taken over). */
  readonly notes: readonly string[];
}

export async function restoreFromJournal(
  path: string,
  journal: RestoreJournal,
  options: { token: string | undefined; timeoutMs: number; forgetPending?: boolean; onWait?: (message: string) => void },
): Promise<JournalRestoreResult> {
  const notes: string[] = [];
  // Never alongside another process's mutation session on this server.
  const lock = acquireHostLock(journal.host.url);
  if (lock.note) notes.push(lock.note);
  const http = new HttpClient({ token: options.token, timeoutMs: options.timeoutMs });
  try {
    const discovery = await discover(http, journal.host.url, { sdkTimeoutMs: 10_000 });
    const driver = await pickDriver({ discovery, http, loadTimeoutMs: options.timeoutMs, sdkTimeoutMs: 10_000 });
    try {
      if (driver.name !== journal.driver) notes.push(`the journal used ${journal.driver}; restoring with ${driver.name}`);
      const pending = pendingLoadsIn(journal, options.timeoutMs);
      if (pending.length > 0) {
        const until = new Date(Math.max(...pending.map((p) => p.waitUntil))).toISOString();
        options.onWait?.(`waiting for ${pending.length} pending load(s) of ${pending.map((p) => p.model).join(", ")} to land (until ${until}), to undo them`);
      }
      const wait = await awaitPendingLoads(driver, journal.snapshot, pending);
      const outcome = await restoreSnapshot(driver, journal.snapshot);
      const landed = wait.landed.length > 0 ? `; waited for the pending load of ${wait.landed.join(", ")} to land` : "";
      const unseen = wait.notLanded.join(", ");
      // A load that has not landed may still land (LM Studio keeps loading after the client gave up): the host is
      // not known to be restored until the operator has checked, so the journal stays unfinished (issue 15.1).
      const unconfirmed = wait.notLanded.length > 0 && !options.forgetPending;
      const detail = unconfirmed
        ? `RESTORE UNCONFIRMED: ${outcome.detail}${landed}; the pending load of ${unseen} has not landed by the time the journal allows for it, and may still land. Run \`lmcert restore ${path}\` again later; once \`lms ps\` and the server log show it will not land, add --forget-pending to close the journal`
        : `${outcome.detail}${landed}${wait.notLanded.length > 0 ? `; the pending load of ${unseen} never landed (closed with --forget-pending)` : ""}`;
      const ok = outcome.ok && !unconfirmed;
      reopenJournal(path, journal).close(ok ? "restored" : "failed", detail);
      return { ok, detail, notes };
    } finally {
      await driver.close();
    }
  } finally {
    await http.close();
    lock.release();
  }
}
