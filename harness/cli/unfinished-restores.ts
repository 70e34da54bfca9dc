/**
 * @module Before lmcert touches a host: an unfinished restore journal for it is said loudly, with the exact
 * `lmcert restore` command, and the run stops (exit 2) — or, with --restore-first, lmcert finishes that restore
 * first and then certifies.
 */
import { defaultJournalDir, liveLockHolder, staleLockJournal } from "../lifecycle/host-lock.ts";
import { restoreFromJournal } from "../lifecycle/journal-restore.ts";
import { unfinishedJournalIndex } from "../lifecycle/open-journals.ts";
import { readJournal } from "../lifecycle/journal.ts";
import type { RestoreJournal } from "../../contracts/journal.ts";
import { resolveServerKey } from "../net/server-identity.ts";
import type { CommandIo } from "./io.ts";
import { tokenFromEnv } from "./token.ts";

export interface GateHost {
  readonly name: string;
  readonly url: string;
  readonly token: string | undefined;
}

/** Returns 2 when the run must not go on; null when every host is clear (or was restored first). */
export async function settleUnfinishedRestores(
  hosts: readonly GateHost[],
  options: { out: string | null | undefined; restoreFirst: boolean; io: CommandIo; timeoutMs?: number },
): Promise<2 | null> {
  const dirs = [...(options.out ? [options.out] : []), defaultJournalDir()];
  // The journal folders are read once for the whole fleet, not once per host.
  const unfinishedFor = await unfinishedJournalIndex(dirs);
  let blocked = false;
  for (const host of hosts) {
    // A journal whose run is still going (its process holds the server's lock) is not abandoned: that run will
    // restore it, and this one's mutating checks will find the lock taken.
    await resolveServerKey(host.url); // the lock of a DNS name is its address's
    const holder = liveLockHolder(host.url);
    if (holder) {
      options.io.stderr.write(`note: another lmcert (pid ${holder.pid}, \`${holder.command}\`, since ${holder.startedAt}) is changing ${host.name} (${host.url}) right now\n`);
      continue;
    }
    // A lock whose process died names its session's journal: found even when that run wrote to another --out.
    const named = staleLockJournal(host.url);
    for (const { path, journal: indexed } of await unfinishedFor(host.url, named ? [named] : [])) {
      // Another inventory name for the same server may have restored this journal earlier in this loop.
      const journal = options.restoreFirst ? currentJournal(path) : indexed;
      if (!journal || journal.status === "restored") continue;
      const state = journal.status === "failed" ? "whose restore FAILED" : "that was never restored (the run was killed)";
      if (!options.restoreFirst) {
        options.io.stderr.write(
          `\nUNFINISHED RESTORE for ${host.name} (${host.url}): a run started ${journal.createdAt} changed this host, ${state}.\n` +
            `  The host may NOT be as it was; lmcert will not certify it like this.\n` +
            `  journal: ${path}\n` +
            `  put it back with: lmcert restore ${path}\n` +
            `  or run again with --restore-first to do that before certifying\n`,
        );
        blocked = true;
        continue;
      }
      options.io.stderr.write(`--restore-first: finishing the restore in ${path} for ${host.name} (${host.url})\n`);
      const token = host.token ?? (journal.tokenEnv ? tokenFromEnv(journal.tokenEnv) : undefined);
      const result = await restoreFromJournal(path, journal, {
        token,
        timeoutMs: options.timeoutMs ?? 120_000,
        onWait: (message) => options.io.stderr.write(`  ${message}\n`),
      });
      for (const note of result.notes) options.io.stderr.write(`  note: ${note}\n`);
      options.io.stderr.write(`  ${result.ok ? "" : "RESTORE FAILED: "}${result.detail}\n`);
      if (!result.ok) blocked = true;
    }
  }
  return blocked ? 2 : null;
}

/** The journal as it is on disk now, or null when it is gone or no longer readable. */
function currentJournal(path: string): RestoreJournal | null {
  try {
    return readJournal(path);
  } catch {
    return null;
  }
}
