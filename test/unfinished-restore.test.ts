/** An unfinished restore journal is never ignored (issue 12): said loudly, or finished with --restore-first. */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JournalFile, readJournal, reopenJournal } from "../harness/lifecycle/journal.ts";
import { acquireHostLock, defaultJournalDir, UnfinishedSessionError } from "../harness/lifecycle/host-lock.ts";
import { serverKey, serverKeySlug } from "../harness/net/server-identity.ts";
import type { RunningMock } from "../fixtures/mock/server.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/fleet.ts";
import { mockHost } from "./helpers/hosts.ts";

const ORIGINAL = ["qwen2.5-0.5b-instruct", "text-embedding-nomic-embed-text-v1.5"];

/** What a run killed with -9 mid-load leaves: an open journal, and the model it loaded still on the host. */
function leftover(mock: RunningMock, dir: string, url = mock.url): string {
  mkdirSync(dir, { recursive: true });
  const journal = JournalFile.create(join(dir, `host.2026-11-26T00-00-00-000Z.restore-journal.json`), {
    host: { name: "host", url },
    tokenEnv: null,
    driver: "rest-v1",
    snapshot: ORIGINAL.map((id) => ({ id, model: id, contextLength: 4096 })),
  });
  journal.record("load", "meta-llama-3.1-8b-instruct", null);
  mock.state.load("meta-llama-3.1-8b-instruct", { by: "manual" });
  return journal.path;
}

const loaded = (mock: RunningMock) => mock.state.instances.map((i) => i.id).sort();

describe("unfinished restore journals", () => {
  it("an open journal in --out: lmcert says so, with the restore command, and stops before touching the host", async () => {
    const mock = await mockHost("compliant");
    const out = tempDir();
    // Where certify --out writes it: --out/<host>/.
    const inOut = leftover(mock, join(out, "host"));
    const { code, stderr } = await runCli(["certify", mock.url, "--out", out, "--no-browser"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/UNFINISHED RESTORE for 127\.0\.0\.1_\d+ \(http:\/\/127\.0\.0\.1:\d+\): a run started .* changed this host, that was never restored/);
    expect(stderr).toContain(`put it back with: lmcert restore ${inOut}`);
    expect(stderr).toMatch(/--restore-first/);
    expect(mock.requests).toEqual([]);
  });

  it("an open journal in the default journal folder, written for an alias of the URL, is found too", async () => {
    const mock = await mockHost("compliant");
    const alias = mock.url.replace("127.0.0.1", "localhost");
    const path = leftover(mock, defaultJournalDir(), alias);
    try {
      const { code, stderr } = await runCli(["certify", mock.url, "--no-browser"]);
      expect(code).toBe(2);
      expect(stderr).toContain(`lmcert restore ${path}`);
    } finally {
      // Not left behind for other tests of this run.
      reopenJournal(path, readJournal(path)).close("restored");
    }
  });

  it("--restore-first finishes the restore, then certifies the host as it was", async () => {
    const mock = await mockHost("compliant");
    const out = tempDir();
    const path = leftover(mock, join(out, "sub"));
    expect(loaded(mock)).toContain("meta-llama-3.1-8b-instruct");
    const { code, stderr } = await runCli(["certify", mock.url, "--out", out, "--no-browser", "--restore-first"]);
    expect(stderr).toContain(`--restore-first: finishing the restore in ${path}`);
    expect(stderr).toMatch(/restored: unloaded \[meta-llama-3\.1-8b-instruct\]/);
    expect(code).not.toBe(2);
    expect(JSON.parse(readFileSync(path, "utf8")).status).toBe("restored");
    expect(loaded(mock)).toEqual(ORIGINAL);
  });

  describe("a dead run's lock names its journal, wherever its --out was", () => {
    /** What `kill -9` of `certify --allow-mutations --out A` leaves: its open journal in A, its lock naming it. */
    async function killedRunInAnotherOut(mock: RunningMock): Promise<{ journal: string; lock: string }> {
      const journal = leftover(mock, join(tempDir(), "host"));
      const child = spawn(process.execPath, ["-e", ""]);
      const deadPid = await new Promise<number>((resolve) => child.on("exit", () => resolve(child.pid as number)));
      const lock = join(defaultJournalDir(), `${serverKeySlug(mock.url)}.lock`);
      mkdirSync(defaultJournalDir(), { recursive: true });
      writeFileSync(lock, JSON.stringify({ pid: deadPid, command: "lmcert certify --allow-mutations --out A", startedAt: "2026-11-26T00:00:00.000Z", server: serverKey(mock.url), nonce: "n", journal }));
      return { journal, lock };
    }

    for (const mutations of [true, false]) {
      it(`certify ${mutations ? "--allow-mutations " : ""}--out B stops with UNFINISHED RESTORE naming A's journal, before any request`, async () => {
        const mock = await mockHost("compliant");
        const { journal, lock } = await killedRunInAnotherOut(mock);
        try {
          const { code, stderr } = await runCli(["certify", mock.url, "--out", tempDir(), "--no-browser", ...(mutations ? ["--allow-mutations"] : [])]);
          expect(code).toBe(2);
          expect(stderr).toContain(`UNFINISHED RESTORE for`);
          expect(stderr).toContain(`put it back with: lmcert restore ${journal}`);
          expect(mock.requests).toEqual([]);
          expect(readJournal(journal).status).toBe("open");
        } finally {
          rmSync(lock, { force: true });
        }
      });
    }

    it("--restore-first restores the journal the lock names, then certifies", async () => {
      const mock = await mockHost("compliant");
      const { journal, lock } = await killedRunInAnotherOut(mock);
      try {
        const { code, stderr } = await runCli(["certify", mock.url, "--out", tempDir(), "--no-browser", "--restore-first"]);
        expect(stderr).toContain(`--restore-first: finishing the restore in ${journal}`);
        expect(code).not.toBe(2);
        expect(readJournal(journal).status).toBe("restored");
        expect(loaded(mock)).toEqual(ORIGINAL);
      } finally {
        rmSync(lock, { force: true });
      }
    });

    it("a new session never takes over such a lock (the gate's backstop); a `restore` may", async () => {
      const mock = await mockHost("compliant");
      const { journal, lock } = await killedRunInAnotherOut(mock);
      try {
        expect(() => acquireHostLock(mock.url, defaultJournalDir(), join(tempDir(), "new.restore-journal.json"))).toThrow(UnfinishedSessionError);
        expect(existsSync(lock)).toBe(true);
        const taken = acquireHostLock(mock.url, defaultJournalDir());
        expect(taken.note).toMatch(/took over the lock/);
        taken.release();
        expect(readJournal(journal).status).toBe("open");
      } finally {
        rmSync(lock, { force: true });
      }
    });
  });
});
