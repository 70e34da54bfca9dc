/**
 * @module Benchmark 2: fleet scale. 50, 200 and 1,000 mock hosts in separate mock processes, read-only, certified by
 * one cold `lmcert fleet` process (one shared undici Agent). Targets: 200 hosts ≤ 2 s and ≤ 150 MB peak RSS; 1,000
 * hosts ≤ 8 s and ≤ 250 MB, with the cost per extra host no higher than at 200.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import type { ProcessCost } from "./stats.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
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

export async function fleetScaleBench(): Promise<void> {
  console.log(`\n2. fleet scale, read-only: \`lmcert fleet --concurrency ${CONCURRENCY}\` in a cold process; the mock hosts run in other processes`);
  const farms = await Promise.all(Array.from({ length: Math.max(...SIZES) / HOSTS_PER_PROCESS }, () => mockProcess(HOSTS_PER_PROCESS)));
  const results: { size: number; wallMs: number; cpuMs: number }[] = [];
  try {
    const urls = farms.flatMap((f) => f.urls);
    for (const size of SIZES) {
      const dir = mkdtempSync(join(tmpdir(), "lmcert-bench-"));
      const port = new URL(urls[0] as string).port;
      writeFileSync(join(dir, "standard.yaml"), `standard: s\nversion: 1\nbind: { address: 0.0.0.0, port: ${port} }\n`);
      const servers = urls.slice(0, size).map((u, i) => `  - name: host-${i}\n    url: ${u}`).join("\n");
      writeFileSync(join(dir, "inventory.yaml"), `standard: ./standard.yaml\nservers:\n${servers}\n`);
      // The real CLI in a cold process, as the nightly run starts it; a preload reports its peak RSS on exit.
      const started = performance.now();
      const child = await run(
        process.execPath,
        ["--import", join(ROOT, "bench", "report-peak-rss.mjs"), join(ROOT, "bin", "lmcert.js"), "fleet", join(dir, "inventory.yaml"),
          "--concurrency", String(CONCURRENCY), "--out", join(dir, "out"), "--json", "--no-browser", "--probe-address", "127.0.0.2"],
        { cwd: ROOT, maxBuffer: 64 << 20 },
      ).catch((error: { stdout: string; stderr: string; code?: number }) => {
        if (error.code !== 1) throw error; // 1 = some host not certified; anything else is a harness failure
        return error;
      });
      const wallMs = performance.now() - started;
      const summary = JSON.parse(child.stdout) as { counts: { hosts: number; certified: number } };
      const { peakRssKb, cpuMs } = JSON.parse(child.stderr.trim().split("\n").pop() as string) as ProcessCost;
      results.push({ size, wallMs, cpuMs });
      console.log(
        `  ${String(size).padStart(4)} hosts: wall ${(wallMs / 1000).toFixed(2)} s, ${(wallMs / size).toFixed(1)} ms/host, lmcert CPU ${(cpuMs / 1000).toFixed(2)} s, peak RSS ${(peakRssKb / 1024).toFixed(0)} MB, ${summary.counts.certified}/${summary.counts.hosts} certified`,
      );
    }
    // Linear means each host beyond the smaller fleet costs no more than a host did in it.
    for (const [small, large] of results.slice(0, -1).map((r, i) => [r, results[i + 1]!] as const)) {
      const extra = large.size - small.size;
      const wall = (large.wallMs - small.wallMs) / extra;
      const cpu = (large.cpuMs - small.cpuMs) / extra;
      console.log(
        `  ${small.size} → ${large.size} hosts: per extra host ${wall.toFixed(1)} ms wall, ${cpu.toFixed(1)} ms CPU (at ${small.size}: ${(small.wallMs / small.size).toFixed(1)} ms wall, ${(small.cpuMs / small.size).toFixed(1)} ms CPU per host)`,
      );
    }
  } finally {
    for (const f of farms) f.child.kill("SIGTERM");
  }
}
