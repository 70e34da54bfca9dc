/** An unfinished restore journal is never ignored (issue 12): said loudly, or finished with --restore-first. */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JournalFile, readJournal, reopenJournal } from "../harness/lifecycle/journal.ts";
import { defaultJournalDir } from "../harness/lifecycle/host-lock.ts";
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
});
