/**
 * `lmcert fleet --threads`: hosts certified in worker threads give exactly what the main thread alone gives; tokens
 * stay redacted there; Ctrl-C and lmcert's own failures end the run as they do in one thread.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../contracts/certificate.ts";
import { defaultThreads } from "../harness/cli/commands/fleet.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir, writeInventory } from "./helpers/fleet.ts";
import { closedPortUrl, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

const FAST = ["--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "400", "--host-timeout", "3s"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

/**
 * A certificate without what differs between two runs against the same hosts: times, durations, the digest over
 * them, and the mock's per-answer chat completion id and creation time.
 */
function comparable(path: string): unknown {
  const cert = JSON.parse(readFileSync(path, "utf8")) as Certificate;
  const { startedAt, finishedAt, validUntil, digest, run, ...rest } = cert;
  void [startedAt, finishedAt, validUntil, digest, run];
  const checks = cert.checks.map(({ durationMs, evidence, ...check }) => {
    void durationMs;
    return { ...check, evidence: evidence.map(({ durationMs: _ms, ...e }) => e) };
  });
  return JSON.parse(JSON.stringify({ ...rest, checks }).replace(/chatcmpl-[a-z0-9]+/g, "chatcmpl-").replace(/\\"created\\":\d+/g, "created"));
}

describe("lmcert fleet --threads", () => {
  it("defaults to one thread per core but one, at most 4, and to the main thread alone below 16 hosts or on 2 cores", () => {
    expect([defaultThreads(200, 2), defaultThreads(200, 3), defaultThreads(200, 4), defaultThreads(200, 16)]).toEqual([1, 2, 3, 4]);
    expect([defaultThreads(15, 16), defaultThreads(16, 16), defaultThreads(1_000, 1)]).toEqual([1, 4, 1]);
  });

  it("certifies hosts in worker threads with the same certificates, summary and reports as one thread", async () => {
    const ms1 = await mockHost("mac-studio-1");
    const ms2 = await mockHost("mac-studio-2");
    const compliant = await mockHost("compliant");
    const dir = tempDir();
    const inventory = writeInventory(dir, ms1.port, [
      { name: "mac-studio-1", url: ms1.url },
      { name: "mac-studio-2", url: ms2.url },
      { name: "dead-host", url: await closedPortUrl() },
      { name: "compliant", url: compliant.url },
      // An alias of mac-studio-1: one chain, so one lane certifies both, one after the other.
      { name: "mac-studio-1-alias", url: ms1.url.replace("127.0.0.1", "localhost") },
    ]);
    const one = await runCli(["fleet", inventory, "--out", join(dir, "one"), "--json", "--threads", "1", ...FAST]);
    const three = await runCli(["fleet", inventory, "--out", join(dir, "three"), "--json", "--threads", "3", "--concurrency", "3", ...FAST]);
    expect([one.code, three.code]).toEqual([1, 1]);
    // The roll-up, apart from times (and the time-stamped file names) and the output folder.
    const summary = (stdout: string) => stdout.replace(/\d{4}-\d\d-\d\dT\d\d[:-]\d\d[:-]\d\d[.-]\d{3}Z/g, "<time>").replace(/[/\\](one|three)[/\\]/g, "/");
    expect(summary(three.stdout)).toBe(summary(one.stdout));
    for (const host of ["mac-studio-1", "mac-studio-2", "dead-host", "compliant", "mac-studio-1-alias"]) {
      expect(comparable(join(dir, "three", host, "latest.json")), host).toEqual(comparable(join(dir, "one", host, "latest.json")));
    }
    // Each host's console line, from whichever thread certified it.
    expect(three.stderr.match(/^(✔ certified|✖ not certified|\? incomplete) /gm)).toHaveLength(5);
    // The fleet keeps certificates without evidence; the HTML page reads it back from the files.
    const html = readFileSync(join(dir, "three", "lmcert.html"), "utf8");
    expect(html).toContain(`${ms2.url}/api/v1/models`);
    const withoutTimes = (file: string) =>
      readFileSync(file, "utf8").replace(/sha256:[0-9a-f]+|\d{4}-\d\d-\d\dT[\d:.]+Z?|\d{10}(\.\d+)?|time="[\d.]+"|[/\\](one|three)[/\\]/g, "");
    for (const file of ["lmcert.junit.xml", "lmcert.md", "lmcert.prom"]) expect(withoutTimes(join(dir, "three", file)), file).toBe(withoutTimes(join(dir, "one", file)));
  }, 60_000);

  it("redacts every inventory token in the worker threads too, even another host's, shaped like no known credential", async () => {
    // Not `sk-lm-…` or `Bearer …`: only the list of the run's tokens can catch these.
    const tokens = ["Zq9Xw8Vu7Ts6Rp5Qo4Nm3", "Yp8Wv7Ut6Sr5Qq4Po3Ml2", "Xo7Vu6Ts5Rq4Pp3On2Lk1", "Wn6Ut5Sr4Qp3Oo2Nm1Kj0"];
    // Each host echoes the token of the host before it: a thread certifying host i sees host i-1's token, which it
    // was never given for a request of its own.
    const mocks = await Promise.all(tokens.map((token, i) => mockHost("compliant", {
      authToken: token,
      rewrite: (path, body) => (path === "/api/v1/models" || path === "/v1/models" ? { ...(body as object), echoed: tokens[(i + 3) % 4] } : body),
    })));
    const dir = tempDir();
    const inventory = writeInventory(dir, mocks[0]!.port, mocks.map((m, i) => ({ name: `secured-${i}`, url: m.url, tokenEnv: `LMCERT_THREADS_TOKEN_${i}` })));
    tokens.forEach((token, i) => (process.env[`LMCERT_THREADS_TOKEN_${i}`] = token));
    const r = await runCli(["fleet", inventory, "--out", join(dir, "out"), "--json", "--threads", "4", "--concurrency", "4", ...FAST]).finally(() => {
      tokens.forEach((_, i) => delete process.env[`LMCERT_THREADS_TOKEN_${i}`]);
    });
    const all = [r.stdout, r.stderr, ...filesUnder(join(dir, "out")).map((f) => readFileSync(f, "utf8"))].join("\n");
    // The servers really echoed, so redaction was exercised in every thread.
    for (const mock of mocks) expect(mock.requests.some((q) => q.path === "/api/v1/models")).toBe(true);
    expect(all).toContain("[redacted]");
    for (const token of tokens) expect(all).not.toContain(token);
  }, 60_000);

  it("Ctrl-C: hosts in every thread stop, the run is recorded as interrupted and exits 2", async () => {
    const slow = await Promise.all(Array.from({ length: 6 }, () => mockHost("compliant", { faults: [{ fault: { kind: "slow", delayMs: 2_500 } }] })));
    const dir = tempDir();
    const inventory = writeInventory(dir, slow[0]!.port, slow.map((m, i) => ({ name: `slow-${i}`, url: m.url })));
    const controller = new AbortController();
    // Once every host has been asked something, every lane has hosts in flight.
    const interrupt = setInterval(() => {
      if (slow.every((m) => m.requests.length > 0)) controller.abort(new Error("interrupted (SIGINT)"));
    }, 20);
    const r = await runCli(["fleet", inventory, "--out", join(dir, "out"), "--json", "--threads", "3", "--concurrency", "6", "--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "10s"], controller.signal)
      .finally(() => clearInterval(interrupt));
    expect(r.code).toBe(2);
    const summary = JSON.parse(r.stdout) as { interrupted: boolean; counts: { hosts: number } };
    expect(summary.interrupted).toBe(true);
    expect(summary.counts.hosts).toBe(6);
    for (const i of [0, 1, 2, 3, 4, 5]) {
      const cert = JSON.parse(readFileSync(join(dir, "out", `slow-${i}`, `${readdirSync(join(dir, "out", `slow-${i}`)).find((f) => /^\d{4}-.*\.json$/.test(f))}`), "utf8")) as Certificate;
      expect(cert.interrupted, `slow-${i}`).toBeDefined();
    }
  }, 60_000);

  it("lmcert failing on one host in a worker thread (its folder cannot be written) fails the run: exit 2, naming the host", async () => {
    const mocks = await Promise.all(Array.from({ length: 4 }, () => mockHost("compliant")));
    const dir = tempDir();
    const out = join(dir, "out");
    const inventory = writeInventory(dir, mocks[0]!.port, mocks.map((m, i) => ({ name: `host-${i}`, url: m.url })));
    mkdirSync(out);
    writeFileSync(join(out, "host-2"), "a file where lmcert wants the host's folder\n");
    const r = await runCli(["fleet", inventory, "--out", out, "--threads", "2", "--concurrency", "4", ...FAST]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lmcert failed while certifying host-2: .*host-2/);
    expect(existsSync(join(out, "fleet-summary.json"))).toBe(false);
  }, 60_000);
});
