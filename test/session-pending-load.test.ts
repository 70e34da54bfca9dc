/**
 * A load lmcert gave up on may land at any time. The session must keep watching it across intermediate restores,
 * and its final restore must never say "restored" while such a load has not been seen (issue 15.2).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SnapshotInstance } from "../contracts/journal.ts";
import type { LoadResult, ModelDriver } from "../harness/lifecycle/driver.ts";
import { JournalFile } from "../harness/lifecycle/journal.ts";
import { MutationSession } from "../harness/lifecycle/session.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/fleet.ts";
import { mockHost } from "./helpers/hosts.ts";

/** A host whose loads never answer in time; `land()` makes the last load appear, as a late load would. */
class LateLoadingHost implements ModelDriver {
  readonly name = "rest-v1" as const;
  loaded: SnapshotInstance[] = [{ id: "base", model: "base", contextLength: null }];
  #pending: string[] = [];

  async load(model: string): Promise<LoadResult> {
    this.#pending.push(model);
    throw new Error("No complete response within 100 ms (request timeout)");
  }

  land(): void {
    const model = this.#pending.shift();
    if (model) this.loaded = [...this.loaded, { id: `${model}:late`, model, contextLength: null }];
  }

  async unload(instanceId: string): Promise<void> {
    this.loaded = this.loaded.filter((i) => i.id !== instanceId);
  }

  async listLoaded(): Promise<SnapshotInstance[]> {
    return this.loaded;
  }

  async close(): Promise<void> {}
}

async function session(host: LateLoadingHost): Promise<MutationSession> {
  const dir = mkdtempSync(join(tmpdir(), "lmcert-pending-"));
  return MutationSession.begin(host, {
    host: { name: "h", url: "http://127.0.0.1:9" },
    tokenEnv: null,
    journalPath: join(dir, "h.restore-journal.json"),
    loadTimeoutMs: 50,
  });
}

describe("a load lmcert gave up on", () => {
  it("is watched across an intermediate restore and undone by the final one when it lands in between", async () => {
    const host = new LateLoadingHost();
    const s = await session(host);
    await expect(s.load("big-llm")).rejects.toThrow(/request timeout/);
    const first = await s.restore();
    expect(first.detail).toMatch(/has not landed \(still watched\)/);
    host.land();
    const final = await s.finish();
    expect(final.ok).toBe(true);
    expect(host.loaded.map((i) => i.id)).toEqual(["base"]);
    expect(JSON.parse(readFileSync(s.journal.path, "utf8")).status).toBe("restored");
  });

  it("leaves the final restore unconfirmed, never 'restored', while it has not landed", async () => {
    const host = new LateLoadingHost();
    const s = await session(host);
    await expect(s.load("big-llm")).rejects.toThrow(/request timeout/);
    const final = await s.finish();
    expect(final.ok).toBe(false);
    expect(final.detail).toMatch(/RESTORE UNCONFIRMED: .*big-llm.*may still land.*lmcert restore /);
    expect(JSON.parse(readFileSync(s.journal.path, "utf8")).status).toBe("failed");
  });

  it("is pending for its model only, until a restore sees it land and undoes it", async () => {
    const host = new LateLoadingHost();
    const s = await session(host);
    await expect(s.load("big-llm")).rejects.toThrow(/request timeout/);
    expect([s.hasPendingLoadOf("big-llm"), s.hasPendingLoadOf("small-llm")]).toEqual([true, false]);
    await s.restore();
    expect(s.hasPendingLoadOf("big-llm")).toBe(true);
    host.land();
    await s.restore();
    expect(s.hasPendingLoadOf("big-llm")).toBe(false);
    await s.finish();
  });
});

describe("lmcert restore with a load the journal still calls pending", () => {
  it("is UNCONFIRMED (exit 2, journal unfinished) until the operator says it will never land", async () => {
    const mock = await mockHost("compliant");
    const snapshot = mock.state.instances.map((i) => ({ id: i.id, model: i.modelKey, contextLength: null }));
    const path = join(tempDir(), "host.restore-journal.json");
    const journal = JournalFile.create(path, { host: { name: "host", url: mock.url }, tokenEnv: null, driver: "rest-v1", snapshot });
    // A load that was on its way when the run died, whose wait budget has already run out, and that never lands.
    journal.record("load", "google/gemma-3-12b", null, { waitUntil: new Date(Date.now() - 1_000).toISOString() });

    const first = await runCli(["restore", path]);
    expect([first.code, first.stderr]).toEqual([2, expect.stringMatching(/RESTORE UNCONFIRMED: .*gemma-3-12b.*may still land.*--forget-pending/s)]);
    expect(JSON.parse(readFileSync(path, "utf8")).status).toBe("failed");

    const forgotten = await runCli(["restore", path, "--forget-pending"]);
    expect([forgotten.code, forgotten.stderr]).toEqual([0, expect.stringMatching(/never landed \(closed with --forget-pending\)/)]);
    expect(JSON.parse(readFileSync(path, "utf8")).status).toBe("restored");
  }, 60_000);
});
