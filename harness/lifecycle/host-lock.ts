/**
 * @module One mutation session per server at a time, across lmcert processes (issue 15.5): a lock file per server
 * in the default journal folder, created with O_EXCL. It says who holds it (pid, command, start time); a lock left
 * by a process that no longer exists (kill -9, power loss) is taken over, with a note.
 *
 * The lock also names its session's journal, so a lock left behind is the pointer to an unfinished restore even
 * when that run wrote to another --out. That is why a run abandoned by a second Ctrl-C leaves its lock in place:
 * deleting it would let the next run (with another --out) miss the open journal. `lmcert restore` takes it over.
 */
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { LmcertError } from "../errors.ts";
import { serverKey, serverKeySlug } from "../net/server-identity.ts";
import { readJournal } from "./journal.ts";

/** An existing journal that is open or whose restore failed (unreadable counts: `lmcert restore` will say why). */
function isUnfinished(journalPath: string): boolean {
  if (!existsSync(journalPath)) return false;
  try {
    return readJournal(journalPath).status !== "restored";
  } catch {
    return true;
  }
}

/** Where journals go without --out, and where every process's host locks live. LMCERT_JOURNAL_DIR overrides it. */
export function defaultJournalDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["LMCERT_JOURNAL_DIR"] || join(tmpdir(), "lmcert-journals");
}

const LockFile = z.object({
  pid: z.number().int(),
  command: z.string(),
  startedAt: z.string(),
  server: z.string(),
  nonce: z.string(),
  /**
   * The journal of the session holding the lock. A lock left by a dead process proves an unfinished session, and this
   * is where its record is, even when the next run uses another --out (issue 15 follow-up). Absent for `restore`.
   */
  journal: z.string().nullable().optional(),
});
type LockFile = z.infer<typeof LockFile>;

export class HostLockedError extends LmcertError {
  constructor(readonly holder: LockFile, readonly path: string) {
    super(
      "LMCERT_HOST_LOCKED",
      `another lmcert is changing this server (${holder.server}): pid ${holder.pid}, \`${holder.command}\`, since ${holder.startedAt} (lock ${path}). Two mutation sessions at once would snapshot each other's loads; run again when it has finished`,
    );
  }
}

export interface HostLock {
  readonly path: string;
  /** Set when a dead process's lock was taken over. */
  readonly note: string | null;
  release(): void;
}

/**
 * Whether the process still runs. A zombie (exited, not yet reaped by its parent) answers kill(pid, 0) like a live
 * process, yet will never release its lock: on Linux its /proc/<pid>/stat state is `Z`.
 */
export function isAlive(pid: number): boolean {
  if (process.platform === "linux") {
    try {
      // Format: `pid (comm) S …`; comm may contain spaces and parentheses, so read the state after the last `)`.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z") return false;
    } catch {
      // No /proc entry (or no /proc): fall back to the signal probe below.
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): LockFile | null {
  try {
    return LockFile.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch {
    return null;
  }
}

/** The live process holding this server's lock, if any: its open journal is a run in progress, not an abandoned one. */
export function liveLockHolder(url: string, dir: string = defaultJournalDir()): LockFile | null {
  const holder = readHolder(join(dir, `${serverKeySlug(url)}.lock`));
  return holder && isAlive(holder.pid) ? holder : null;
}

/**
 * The journal named by a lock whose process no longer runs: that session ended without releasing its lock (kill -9,
 * power loss), so its journal may be open wherever its --out was.
 */
export function staleLockJournal(url: string, dir: string = defaultJournalDir()): string | null {
  const holder = readHolder(join(dir, `${serverKeySlug(url)}.lock`));
  return holder && !isAlive(holder.pid) ? (holder.journal ?? null) : null;
}

/** A new session must not take over a dead session's lock while that session's journal is unfinished. */
export class UnfinishedSessionError extends LmcertError {
  constructor(readonly journalPath: string, readonly holder: LockFile) {
    super(
      "LMCERT_UNFINISHED_RESTORE",
      `UNFINISHED RESTORE: pid ${holder.pid} (\`${holder.command}\`, since ${holder.startedAt}) changed this server (${holder.server}) and died without restoring it; the host may NOT be as it was. journal: ${journalPath}; put it back with: lmcert restore ${journalPath} (or run again with --restore-first)`,
    );
  }
}

/**
 * `journalPath`: the journal of the session taking the lock (recorded in the lock file). A `restore` of a dead
 * session's journal passes none, and may take that session's lock over; a new session may not.
 */
export function acquireHostLock(url: string, dir: string = defaultJournalDir(), journalPath: string | null = null): HostLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${serverKeySlug(url)}.lock`);
  const mine: LockFile = {
    pid: process.pid,
    command: ["lmcert", ...process.argv.slice(2)].join(" "),
    startedAt: new Date().toISOString(),
    server: serverKey(url),
    nonce: randomUUID(),
    journal: journalPath,
  };
  let note: string | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${JSON.stringify(mine, null, 2)}\n`);
      closeSync(fd);
      return {
        path,
        note,
        release() {
          // Only our own lock: if it was (wrongly) taken over, the new holder's file stays.
          if (readHolder(path)?.nonce === mine.nonce) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(path);
    // A lock file being written this instant reads as empty: look again rather than call it stale.
    if (holder === null && attempt < 2) continue;
    if (holder !== null && isAlive(holder.pid)) throw new HostLockedError(holder, path);
    if (journalPath !== null && holder?.journal && isUnfinished(holder.journal)) throw new UnfinishedSessionError(holder.journal, holder);
    note = holder
      ? `took over the lock ${path} left by pid ${holder.pid} (\`${holder.command}\`, since ${holder.startedAt}), which no longer runs${holder.journal ? ` (its journal: ${holder.journal})` : ""}`
      : `took over the unreadable lock ${path}`;
    // Move it aside rather than delete: of two processes taking over at once, only one rename succeeds.
    try {
      renameSync(path, `${path}.stale-${process.pid}`);
      rmSync(`${path}.stale-${process.pid}`, { force: true });
    } catch {
      // Someone else moved it first; try to create ours again.
    }
  }
  const holder = readHolder(path);
  if (holder) throw new HostLockedError(holder, path);
  throw new LmcertError("LMCERT_HOST_LOCKED", `could not take the lock ${path}`);
}
