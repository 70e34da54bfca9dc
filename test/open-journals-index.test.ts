/** A fleet's gate reads the journal folders once per run, not once per host (bench/RESULTS.md, round 3b). */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JournalFile } from "../harness/lifecycle/journal.ts";
import { findUnfinishedJournals, unfinishedJournalIndex } from "../harness/lifecycle/open-journals.ts";
import { tempDir } from "./helpers/fleet.ts";

function journalIn(dir: string, name: string, url: string, status: "open" | "restored" | "failed" = "open"): string {
  mkdirSync(dir, { recursive: true });
  const journal = JournalFile.create(join(dir, `${name}.restore-journal.json`), { host: { name, url }, tokenEnv: null, driver: "rest-v1", snapshot: [] });
  journal.record("load", "some-model", null);
  if (status !== "open") journal.close(status);
  return journal.path;
}

describe("unfinishedJournalIndex", () => {
  it("answers every server from one read of the folders, as findUnfinishedJournals does per server", async () => {
    const out = tempDir();
    const a = journalIn(join(out, "host-a"), "a", "http://127.0.0.1:1111");
    const aFailed = journalIn(join(out, "host-a"), "a2", "http://localhost:1111", "failed"); // an alias of a
    journalIn(join(out, "host-b"), "b", "http://127.0.0.1:2222", "restored");
    const c = journalIn(out, "c", "http://127.0.0.1:3333");
    const elsewhere = journalIn(tempDir(), "named", "http://127.0.0.1:2222");

    const expected = {
      a: await findUnfinishedJournals("http://127.0.0.1:1111", [out]),
      b: await findUnfinishedJournals("http://127.0.0.1:2222", [out], [elsewhere]),
      c: await findUnfinishedJournals("http://127.0.0.1:3333", [out]),
    };
    expect(new Set(expected.a.map((u) => u.path))).toEqual(new Set([a, aFailed]));
    expect(expected.b.map((u) => u.path)).toEqual([elsewhere]);
    expect(expected.c.map((u) => u.path)).toEqual([c]);

    const unfinishedFor = await unfinishedJournalIndex([out]);
    // The folders are not read again: moving them away changes nothing for the hosts asked afterwards.
    renameSync(out, `${out}-moved`);
    expect(await unfinishedFor("http://127.0.0.1:1111")).toEqual(expected.a);
    expect(await unfinishedFor("http://127.0.0.1:3333")).toEqual(expected.c);
    expect(await unfinishedFor("http://127.0.0.1:4444")).toEqual([]);
    // A journal named by a dead session's lock is still read when asked for.
    expect(await unfinishedFor("http://127.0.0.1:2222", [elsewhere])).toEqual(expected.b);
    rmSync(`${out}-moved`, { recursive: true, force: true });
  });
});
