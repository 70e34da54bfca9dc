import { describe, expect, it } from "vitest";
import type { CheckRecord } from "../contracts/certificate.ts";
import { HttpClient } from "../harness/http/client.ts";
import { runChecks } from "../harness/runner.ts";
import { DEFAULT_STANDARD } from "../harness/standard-file.ts";
import { defineCheck, type Check, type CheckContext, type Outcome } from "../harness/types.ts";
import { verdictFor } from "../harness/verdict.ts";

function fakeCheck(id: string, run: () => Promise<Outcome>, extra: Partial<Check> = {}): Check {
  return defineCheck({ id, title: id, must: "MUST", concern: "health", required: true, mutates: false, remedy: "fix it", run, ...extra });
}

function ctx(allowMutations = false): CheckContext {
  return {
    host: { name: "h", url: "http://127.0.0.1:9" },
    standard: DEFAULT_STANDARD,
    http: new HttpClient(),
    anonymousHttp: new HttpClient(),
    hasToken: false,
    allowMutations,
    signal: new AbortController().signal,
    local: null,
    probeAddresses: null,
    chromium: { path: null, reason: "not used" },
    lifecycleModel: null,
    pactFile: null,
    discovery: () => Promise.reject(new Error("not used")),
    mutations: () => Promise.reject(new Error("not used")),
    result: () => undefined,
  };
}

const pass = async (): Promise<Outcome> => ({ status: "passed", reason: "ok" });
const fail = async (): Promise<Outcome> => ({ status: "failed", reason: "no" });

describe("runner", () => {
  it("skips a check whose `needs` did not pass, saying which and why", async () => {
    const { records } = await runChecks({
      checks: [fakeCheck("a.first", fail), fakeCheck("a.second", pass, { needs: ["a.first"] })],
      ctx: ctx(),
      checkTimeoutMs: 1_000,
    });
    expect(records[1]).toMatchObject({ status: "skipped", reason: "needs a.first to pass first (it failed)" });
  });

  it("turns a thrown error into `error` and an overrun into `error`, never `passed`", async () => {
    const { records } = await runChecks({
      checks: [
        fakeCheck("a.throws", async () => {
          throw new Error("boom");
        }),
        fakeCheck("a.hangs", () => new Promise<Outcome>(() => {})),
      ],
      ctx: ctx(),
      checkTimeoutMs: 50,
    });
    expect(records.map((r) => [r.status, r.reason])).toEqual([
      ["error", "harness error: boom"],
      ["error", "check did not finish within 50 ms (per-check deadline)"],
    ]);
  });

  it("runs mutating checks only with --allow-mutations", async () => {
    const mutating = fakeCheck("a.mutates", pass, { mutates: true });
    expect((await runChecks({ checks: [mutating], ctx: ctx(false), checkTimeoutMs: 1_000 })).records[0]?.status).toBe("skipped");
    expect((await runChecks({ checks: [mutating], ctx: ctx(true), checkTimeoutMs: 1_000 })).records[0]?.status).toBe("passed");
  });

  it("records deselected checks as skipped so a reviewer sees what did not run", async () => {
    const run = await runChecks({ checks: [fakeCheck("a.one", pass), fakeCheck("a.two", pass)], ctx: ctx(), skip: ["a.two"], checkTimeoutMs: 1_000 });
    expect(run.deselected).toEqual(["a.two"]);
    expect(run.records[1]?.status).toBe("skipped");
    expect(verdictFor(run.records)).toBe("incomplete");
  });

  it("gives the remedy only where something needs fixing", async () => {
    const { records } = await runChecks({ checks: [fakeCheck("a.ok", pass), fakeCheck("a.bad", fail)], ctx: ctx(), checkTimeoutMs: 1_000 });
    expect(records.map((r) => r.remedy)).toEqual([null, "fix it"]);
  });
});

describe("verdict", () => {
  const record = (status: CheckRecord["status"], required = true): CheckRecord => ({
    id: "x",
    title: "",
    must: "",
    required,
    status,
    reason: "",
    observed: {},
    evidence: [],
    remedy: null,
    durationMs: 0,
  });
  it("is certified only when every required check passed; inconclusive and error never count as pass", () => {
    expect(verdictFor([record("passed"), record("failed", false)])).toBe("certified");
    expect(verdictFor([record("passed"), record("inconclusive")])).toBe("incomplete");
    expect(verdictFor([record("passed"), record("error")])).toBe("incomplete");
    expect(verdictFor([record("error"), record("failed")])).toBe("not-certified");
    expect(verdictFor([])).toBe("incomplete");
  });
});
