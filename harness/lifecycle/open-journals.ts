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
  return (await unfinishedJournalIndex(dirs))(url, files);
}

interface IndexedJournal extends UnfinishedJournal {
  readonly key: string;
  readonly mtimeMs: number;
}

/**
 * Reads every journal in `dirs` once and answers, per server, what findUnfinishedJournals would. A fleet asks for
 * each of its hosts: reading, parsing and resolving every journal again per host cost O(hosts × journals), and
 * journals pile up in the default journal folder (bench/RESULTS.md, round 3b).
 */
export async function unfinishedJournalIndex(
  dirs: readonly string[],
): Promise<(url: string, files?: readonly string[]) => Promise<UnfinishedJournal[]>> {
  const inDirs = new Map<string, IndexedJournal | null>();
  for (const path of dirs.flatMap(journalFiles)) {
    if (!inDirs.has(resolve(path))) inDirs.set(resolve(path), await indexJournal(path));
  }
  return async (url, files = []) => {
    const key = await resolveServerKey(url);
    const seen = new Set<string>();
    const found: IndexedJournal[] = [];
    // Named files first, as given: a named journal that is also in a folder is reported by its given path.
    for (const path of files.filter((f) => existsSync(f))) {
      if (seen.has(resolve(path))) continue;
      seen.add(resolve(path));
      const indexed = inDirs.has(resolve(path)) ? inDirs.get(resolve(path)) : await indexJournal(path);
      if (indexed && indexed.key === key) found.push({ ...indexed, path });
    }
    for (const [absolute, indexed] of inDirs) {
      if (seen.has(absolute)) continue;
      if (indexed && indexed.key === key) found.push(indexed);
    }
    return found.sort((a, b) => a.mtimeMs - b.mtimeMs).map(({ path, journal }) => ({ path, journal }));
  };
}

/** A journal that is not restored, with its server key; null for one that is restored or not ours to judge. */
async function indexJournal(path: string): Promise<IndexedJournal | null> {
  let journal: RestoreJournal;
  try {
    journal = readJournal(path);
  } catch {
    return null; // Not ours to judge here: `lmcert restore <file>` reports what is wrong with it.
  }
  if (journal.status === "restored") return null;
  try {
    return { path, journal, key: await resolveServerKey(journal.host.url), mtimeMs: statSync(path).mtimeMs };
  } catch {
    return null;
  }
}
