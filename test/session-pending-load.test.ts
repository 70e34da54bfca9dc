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
import { MutationSession } from "../harness/lifecycle/session.ts";

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
