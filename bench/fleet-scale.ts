/** @module Benchmark 2: fleet scale. 50, 100 and 200 mock hosts in separate mock processes, read-only. */
import { spawn, type ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const HOSTS_PER_PROCESS = 25;

/** A mock process serving `count` compliant hosts on ephemeral loopback ports; resolves with their URLs. */
async function mockProcess(count: number): Promise<{ child: ChildProcess; urls: string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench", "mock-farm.ts"), String(count)], { stdio: ["ignore", "pipe", "inherit"], cwd: ROOT });
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith("[")) return { child, urls: JSON.parse(line) as string[] };
  }
  throw new Error("mock farm did not start");
}

export async function fleetScaleBench(): Promise<void> {
  console.log("\n2. fleet scale, read-only (mock hosts in separate processes, lmcert in its own process)");
  const farms = await Promise.all(Array.from({ length: 200 / HOSTS_PER_PROCESS }, () => mockProcess(HOSTS_PER_PROCESS)));
  try {
    const urls = farms.flatMap((f) => f.urls);
    for (const size of [50, 100, 200]) {
      const dir = mkdtempSync(join(tmpdir(), "lmcert-bench-"));
      const port = new URL(urls[0] as string).port;
      writeFileSync(join(dir, "standard.yaml"), `standard: s\nversion: 1\nbind: { address: 0.0.0.0, port: ${port} }\n`);
      const servers = urls.slice(0, size).map((u, i) => `  - name: host-${i}\n    url: ${u}`).join("\n");
      writeFileSync(join(dir, "inventory.yaml"), `standard: ./standard.yaml\nservers:\n${servers}\n`);
      const { stdout } = await run(process.execPath, ["--import", "tsx", join(ROOT, "bench", "fleet-child.ts"), join(dir, "inventory.yaml"), "32"], { cwd: ROOT, maxBuffer: 1 << 20 });
      const r = JSON.parse(stdout.trim().split("\n").pop() as string) as { wallMs: number; maxRssKb: number; hosts: number; certified: number };
      console.log(
        `  ${String(size).padStart(3)} hosts: wall ${(r.wallMs / 1000).toFixed(2)} s, ${(r.wallMs / size).toFixed(1)} ms/host, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB, ${r.certified}/${r.hosts} certified`,
      );
    }
  } finally {
    for (const f of farms) f.child.kill("SIGTERM");
  }
}
