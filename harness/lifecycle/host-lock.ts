/**
 * @module One mutation session per server at a time, across lmcert processes (issue 15.5): a lock file per server
 * in the default journal folder, created with O_EXCL. It says who holds it (pid, command, start time); a lock left
 * by a process that no longer exists (kill -9, power loss) is taken over, with a note.
 */
import { mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { LmcertError } from "../errors.ts";
import { serverKey, serverKeySlug } from "../net/server-identity.ts";

/** Where journals go without --out, and where every process's host locks live. LMCERT_JOURNAL_DIR overrides it. */
export function defaultJournalDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["LMCERT_JOURNAL_DIR"] || join(tmpdir(), "lmcert-journals");
}

const LockFile = z.object({ pid: z.number().int(), command: z.string(), startedAt: z.string(), server: z.string(), nonce: z.string() });
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

function isAlive(pid: number): boolean {
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

export function acquireHostLock(url: string, dir: string = defaultJournalDir()): HostLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${serverKeySlug(url)}.lock`);
  const mine: LockFile = {
    pid: process.pid,
    command: ["lmcert", ...process.argv.slice(2)].join(" "),
    startedAt: new Date().toISOString(),
    server: serverKey(url),
    nonce: randomUUID(),
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
    note = holder
      ? `took over the lock ${path} left by pid ${holder.pid} (\`${holder.command}\`, since ${holder.startedAt}), which no longer runs`
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
