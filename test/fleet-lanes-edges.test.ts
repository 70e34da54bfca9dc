/**
 * `lmcert fleet` lanes at their edges: lmcert failing on one host (the others run to their end, not "interrupted"),
 * Ctrl-C before any host is handed out, more threads than hosts or than --concurrency.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { tempDir, writeInventory } from "./helpers/fleet.ts";
import { LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

describe("lmcert fleet: lmcert failing on one host", () => {
  for (const threads of ["1", "2"]) {
    it(`does not record the other hosts as interrupted by Ctrl-C (--threads ${threads})`, async () => {
      // host-0 answers at once and lmcert then fails writing its folder; the others are still in flight then.
      const fast = await mockHost("compliant");
      const slow = await Promise.all(Array.from({ length: 3 }, () => mockHost("compliant", { faults: [{ fault: { kind: "slow", delayMs: 1_500 }, paths: ["/lmstudio-greeting"] }] })));
      const dir = tempDir();
      const out = join(dir, "out");
      const inventory = writeInventory(dir, fast.port, [fast, ...slow].map((m, i) => ({ name: `host-${i}`, url: m.url })));
      mkdirSync(out);
      writeFileSync(join(out, "host-0"), "a file where lmcert wants the host's folder\n");
      const r = await runCli(["fleet", inventory, "--out", out, "--threads", threads, "--concurrency", "4", "--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "10s", "--host-timeout", "30s"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/lmcert failed while certifying host-0/);
      // Nobody pressed Ctrl-C: the hosts in flight run to their end, and their certificates say nothing of it.
      for (const host of ["host-1", "host-2", "host-3"]) {
        const latest = readFileSync(join(out, host, "latest.json"), "utf8");
        expect(latest, host).not.toMatch(/Ctrl-C or SIGTERM/);
        expect((JSON.parse(latest) as { verdict: string; interrupted?: unknown }).interrupted, host).toBeUndefined();
      }
    }, 60_000);
  }
});

describe("lmcert fleet --threads: edges that must not hang", () => {
  it("Ctrl-C before any host is handed out: exit 2, every host recorded as interrupted, in every thread", async () => {
    const mocks = await Promise.all(Array.from({ length: 5 }, () => mockHost("compliant")));
    const dir = tempDir();
    const inventory = writeInventory(dir, mocks[0]!.port, mocks.map((m, i) => ({ name: `host-${i}`, url: m.url })));
    const controller = new AbortController();
    controller.abort(new Error("interrupted (SIGINT)"));
    const r = await runCli(["fleet", inventory, "--out", join(dir, "out"), "--json", "--threads", "3", "--concurrency", "5", "--no-browser", "--probe-address", LAN_STAND_IN], controller.signal);
    expect(r.code).toBe(2);
    const summary = JSON.parse(r.stdout) as { interrupted: boolean; counts: { hosts: number; certified: number } };
    expect(summary).toMatchObject({ interrupted: true, counts: { hosts: 5, certified: 0 } });
    // No request reached a host: the abort came first in every thread.
    for (const mock of mocks) expect(mock.requests).toHaveLength(0);
  }, 60_000);

  it("--threads larger than --concurrency and than the fleet: every host once, same verdicts", async () => {
    const mocks = await Promise.all([mockHost("compliant"), mockHost("mac-studio-2")]);
    const dir = tempDir();
    const inventory = writeInventory(dir, mocks[0]!.port, [
      ...mocks.map((m, i) => ({ name: `host-${i}`, url: m.url })),
      { name: "alias-of-host-0", url: mocks[0]!.url.replace("127.0.0.1", "localhost") },
    ]);
    const runs = [];
    for (const [threads, concurrency] of [["1", "4"], ["16", "1"], ["16", "2"], ["4", "64"]] as const) {
      runs.push(await runCli(["fleet", inventory, "--out", join(dir, `t${threads}c${concurrency}`), "--json", "--threads", threads, "--concurrency", concurrency, "--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "2s"]));
    }
    const verdicts = runs.map((r) => (JSON.parse(r.stdout) as { hosts: { name: string; verdict: string }[] }).hosts.map((h) => `${h.name}:${h.verdict}`));
    for (const [i, v] of verdicts.entries()) expect(v, `run ${i}`).toEqual(verdicts[0]);
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1, 1]);
    for (const r of runs) expect(r.stderr.match(/^(✔ certified|✖ not certified|\? incomplete)/gm)).toHaveLength(3);
  }, 60_000);
});
