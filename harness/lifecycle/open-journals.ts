/**
 * @module Finds restore journals a run left unfinished for a server (issue 12: "An open restore journal is never
 * ignored"). A run killed mid-load leaves `"status": "open"` and the host changed; a later run must not certify
 * that host as if nothing happened, nor snapshot the leftover as "the state to return to".
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RestoreJournal } from "../../contracts/journal.ts";
import { serverKey } from "../net/server-identity.ts";
import { readJournal } from "./journal.ts";

export interface UnfinishedJournal {
  readonly path: string;
  readonly journal: RestoreJournal;
}

const JOURNAL_SUFFIX = ".restore-journal.json";

/** Journal files in `dir` and one level below it (`--out/<host>/…`, where certify and fleet write them). */
function journalFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith(JOURNAL_SUFFIX)) found.push(path);
    if (entry.isDirectory()) {
      for (const inner of readdirSync(path)) if (inner.endsWith(JOURNAL_SUFFIX)) found.push(join(path, inner));
    }
  }
  return found;
}

/** Journals for this server (aliases included) that are still open, or whose restore failed: oldest first. */
export function findUnfinishedJournals(url: string, dirs: readonly string[]): UnfinishedJournal[] {
  return unfinishedJournalIndex(dirs)(url);
}

/**
 * Reads every journal in `dirs` once and answers, per server, what findUnfinishedJournals would. A fleet asks for
 * each of its hosts: scanning and parsing every journal again per host cost O(hosts × journals), and journals pile
 * up in the default journal folder (bench/RESULTS.md, round 3b).
 */
export function unfinishedJournalIndex(dirs: readonly string[]): (url: string) => UnfinishedJournal[] {
  const seen = new Set<string>();
  const unfinished: { key: string; path: string; journal: RestoreJournal; mtimeMs: number }[] = [];
  for (const path of dirs.flatMap(journalFiles)) {
    if (seen.has(path)) continue;
    seen.add(path);
    let journal: RestoreJournal;
    try {
      journal = readJournal(path);
    } catch {
      continue; // Not ours to judge here: `lmcert restore <file>` reports what is wrong with it.
    }
    if (journal.status === "restored") continue;
    try {
      unfinished.push({ key: serverKey(journal.host.url), path, journal, mtimeMs: statSync(path).mtimeMs });
    } catch {
      continue;
    }
  }
  unfinished.sort((a, b) => a.mtimeMs - b.mtimeMs);
  return (url) => {
    const key = serverKey(url);
    return unfinished.filter((u) => u.key === key).map(({ path, journal }) => ({ path, journal }));
  };
}
