/**
 * @module Finds restore journals a run left unfinished for a server (issue 12: "An open restore journal is never
 * ignored"). A run killed mid-load leaves `"status": "open"` and the host changed; a later run must not certify
 * that host as if nothing happened, nor snapshot the leftover as "the state to return to".
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { RestoreJournal } from "../../contracts/journal.ts";
import { resolveServerKey } from "../net/server-identity.ts";
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

/**
 * Journals for this server (aliases included) that are still open, or whose restore failed: oldest first.
 * `files`: journals named elsewhere (a dead session's lock names its journal, wherever its --out was).
 */
export async function findUnfinishedJournals(url: string, dirs: readonly string[], files: readonly string[] = []): Promise<UnfinishedJournal[]> {
  const key = await resolveServerKey(url);
  const seen = new Set<string>();
  const found: UnfinishedJournal[] = [];
  for (const path of [...files.filter((f) => existsSync(f)), ...dirs.flatMap(journalFiles)]) {
    if (seen.has(resolve(path))) continue;
    seen.add(resolve(path));
    let journal: RestoreJournal;
    try {
      journal = readJournal(path);
    } catch {
      continue; // Not ours to judge here: `lmcert restore <file>` reports what is wrong with it.
    }
    if (journal.status === "restored") continue;
    try {
      if ((await resolveServerKey(journal.host.url)) === key) found.push({ path, journal });
    } catch {
      continue;
    }
  }
  return found.sort((a, b) => statSync(a.path).mtimeMs - statSync(b.path).mtimeMs);
}
