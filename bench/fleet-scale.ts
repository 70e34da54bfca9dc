/**
 * @module Benchmark 2: fleet scale. 50, 200 and 1,000 mock hosts in separate mock processes, read-only, certified by
 * one cold `lmcert fleet` process, with `--threads 1` (the main thread alone, one shared undici Agent) and
 * `--threads 2` (two worker threads, an Agent each; harness/fleet/fleet-threads.ts); the line says which one is
 * lmcert's default on this machine. Next to them, floor D: a bare undici script sending every host the same
 * requests (bench/undici-fleet-floor.mjs).
 * Targets: 200 hosts ≤ 2 s and ≤ 150 MB peak RSS; 1,000 hosts ≤ 8 s and ≤ 250 MB, with the cost per extra host no
 * higher than at 200.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { defaultThreads } from "../harness/cli/commands/fleet.ts";
import type { ProcessCost } from "./stats.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "lmcert.js");
const PEAK_RSS = join(ROOT, "bench", "report-peak-rss.mjs");
const HOSTS_PER_PROCESS = 50;
const SIZES = [50, 200, 1_000];
const CONCURRENCY = 32;

/** A mock process serving `count` compliant hosts on ephemeral loopback ports; resolves with their URLs. */
async function mockProcess(count: number): Promise<{ child: ChildProcess; urls: string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench", "mock-farm.ts"), String(count)], { stdio: ["ignore", "pipe", "inherit"], cwd: ROOT });
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith("[")) return { child, urls: JSON.parse(line) as string[] };
  }
  throw new Error("mock farm did not start");
}

interface Measured extends ProcessCost {
  readonly wallMs: number;
  readonly stdout: string;
}

/** `node <args>` in a cold process with the cost-reporting preload; exit 1 (some host not certified) is a result. */
async function coldNode(args: readonly string[]): Promise<Measured> {
  const started = performance.now();
  const child = await run(process.execPath, ["--import", PEAK_RSS, ...args], { cwd: ROOT, maxBuffer: 64 << 20 }).catch(
    (error: { stdout: string; stderr: string; code?: number }) => {
      if (error.code !== 1) throw error; // anything else is a harness failure
      return error;
    },
  );
  const wallMs = performance.now() - started;
  const cost = JSON.parse(child.stderr.trim().split("\n").pop() as string) as ProcessCost;
  return { ...cost, wallMs, stdout: child.stdout };
}

/** The requests one read-only certify sends, from lmcert's own recording of a farm host (HAR). */
async function recordedRequests(url: string, dir: string): Promise<{ method: string; path: string; headers: Record<string, string>; body?: string }[]> {
  const har = join(dir, "one-host.har");
  await run(process.execPath, [BIN, "record", url, "--out", har, "--standard", join(dir, "standard.yaml"), "--probe-address", "127.0.0.2"], { cwd: ROOT });
  const entries = (JSON.parse(readFileSync(har, "utf8")) as { log: { entries: { request: { method: string; url: string; headers: { name: string; value: string }[]; postData?: { text: string } } }[] } }).log.entries;
  return entries.map(({ request }) => {
    const target = new URL(request.url);
    const headers = Object.fromEntries(request.headers.filter((h) => !["host", "content-length", "connection"].includes(h.name.toLowerCase())).map((h) => [h.name, h.value]));
    return { method: request.method, path: `${target.pathname}${target.search}`, headers, ...(request.postData ? { body: request.postData.text } : {}) };
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const row = (label: string, m: Measured, size: number) =>
  `    ${label.padEnd(34)} wall ${seconds(m.wallMs).padStart(8)} (${(m.wallMs / size).toFixed(1).padStart(5)} ms/host)  CPU ${seconds(m.cpuMs).padStart(8)}  peak RSS ${(m.peakRssKb / 1024).toFixed(0).padStart(4)} MB`;

export async function fleetScaleBench(): Promise<void> {
  console.log(`\n2. fleet scale, read-only, \`--concurrency ${CONCURRENCY}\`, cold processes; the mock hosts run in other processes on the same cores`);
  const farms = await Promise.all(Array.from({ length: Math.max(...SIZES) / HOSTS_PER_PROCESS }, () => mockProcess(HOSTS_PER_PROCESS)));
  const results: { size: number; single: Measured; threaded: Measured }[] = [];
  try {
    const urls = farms.flatMap((f) => f.urls);
    const base = mkdtempSync(join(tmpdir(), "lmcert-bench-"));
    writeFileSync(join(base, "standard.yaml"), `standard: s\nversion: 1\nbind: { address: 0.0.0.0, port: ${new URL(urls[0] as string).port} }\n`);
    const requests = await recordedRequests(urls[0] as string, base);
    console.log(`  floor D sends each host the ${requests.length} requests lmcert's own recording of one host holds (plus lmcert's one SDK websocket, not in a HAR)`);
    for (const size of SIZES) {
      const dir = mkdtempSync(join(tmpdir(), "lmcert-bench-"));
      const hosts = urls.slice(0, size);
      writeFileSync(join(dir, "standard.yaml"), readFileSync(join(base, "standard.yaml")));
      writeFileSync(join(dir, "inventory.yaml"), `standard: ./standard.yaml\nservers:\n${hosts.map((u, i) => `  - name: host-${i}\n    url: ${u}`).join("\n")}\n`);
      writeFileSync(join(dir, "floor.json"), JSON.stringify({ urls: hosts, requests, concurrency: CONCURRENCY }));
      const fleet = (out: string, extra: string[]) =>
        coldNode([BIN, "fleet", join(dir, "inventory.yaml"), "--concurrency", String(CONCURRENCY), "--out", join(dir, out), "--json", "--no-browser", "--probe-address", "127.0.0.2", ...extra]);
      const floor = await coldNode([join(ROOT, "bench", "undici-fleet-floor.mjs"), join(dir, "floor.json")]);
      const single = await fleet("out-1", ["--threads", "1"]);
      const threaded = await fleet("out-2", ["--threads", "2"]);
      const counts = (JSON.parse(single.stdout) as { counts: { hosts: number; certified: number } }).counts;
      const chosen = defaultThreads(size);
      console.log(`  ${size} hosts (${counts.certified}/${counts.hosts} certified; lmcert's default here: --threads ${chosen}):`);
      console.log(row("D: bare undici, same requests", floor, size));
      for (const [threads, m] of [[1, single], [2, threaded]] as const) {
        console.log(row(`lmcert fleet --threads ${threads}${threads === chosen ? " (default)" : ""}`, m, size) + `  ${(m.wallMs / floor.wallMs).toFixed(2)}x D wall`);
      }
      results.push({ size, single, threaded });
    }
    // Linear means each host beyond the smaller fleet costs no more than a host did in it.
    for (const [small, large] of results.slice(0, -1).map((r, i) => [r, results[i + 1]!] as const)) {
      const extra = large.size - small.size;
      const per = (a: Measured, b: Measured) => `${((b.wallMs - a.wallMs) / extra).toFixed(1)} ms wall, ${((b.cpuMs - a.cpuMs) / extra).toFixed(1)} ms CPU`;
      console.log(`  ${small.size} → ${large.size} hosts, per extra host: --threads 1 ${per(small.single, large.single)}; --threads 2 ${per(small.threaded, large.threaded)}`);
    }
  } finally {
    for (const f of farms) f.child.kill("SIGTERM");
  }
}
