/**
 * @module Benchmark 1: one host, read-only, cold process. `lmcert certify --json` as a user runs it, against three
 * floors making the same HTTP requests: A curl, B a bare Node script on node:http, C a bare Node script on undici
 * (lmcert's own HTTP client, so C is what its cold start is held to); and the Pact Verifier on the router's contract.
 * Every Node process runs with a preload that reports its peak RSS on exit (report-peak-rss.mjs).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { preset } from "../fixtures/mock/presets.ts";
import { startMock } from "../fixtures/mock/server.ts";
import { measure, measureWithCost, printTable, type ProcessCost, type Sample } from "./stats.ts";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "..", "bin", "lmcert.js");
const PEAK_RSS = join(import.meta.dirname, "report-peak-rss.mjs");

/** Runs `node <args>` with the cost-reporting preload; resolves with its peak RSS and CPU time, whatever the exit code. */
async function nodeCost(args: readonly string[]): Promise<ProcessCost> {
  const result = await run(process.execPath, ["--import", PEAK_RSS, ...args], { maxBuffer: 64 << 20 }).catch(
    (error: { stdout: string; stderr: string }) => error,
  );
  const last = result.stderr.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as ProcessCost;
}
const RUNS = 9;

interface FloorRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** The requests a read-only certify makes: discovery, CORS preflights and actual requests, auth. */
function floorRequests(u: string): FloorRequest[] {
  return [
    ...["/lmstudio-greeting", "/v1/models", "/api/v0/models", "/api/v1/models"].map((p) => ({ method: "GET", url: `${u}${p}` })),
    ...Array.from({ length: 8 }, () => ({ method: "OPTIONS", url: `${u}/v1/models`, headers: { origin: "http://example.test" } })),
    { method: "GET", url: `${u}/v1/models` },
    { method: "POST", url: `${u}/v1/chat/completions`, headers: { "content-type": "application/json" }, body: "{}" },
  ];
}

function curlArgs(requests: readonly FloorRequest[]): string[] {
  // One curl process for all URLs (it reuses the connection), `--next` between requests with their own options.
  return requests.flatMap((r, i) => [
    ...(i > 0 ? ["--next"] : []),
    "-s", "-o", "/dev/null", "-X", r.method,
    ...Object.entries(r.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    ...(r.body === undefined ? [] : ["-d", r.body]),
    r.url,
  ]);
}

export async function coldCertifyBench(): Promise<void> {
  const mock = await startMock(preset("compliant"));
  try {
    const u = mock.url;
    const requests = floorRequests(u);
    const floor = await measure("A: curl, same requests", RUNS, () => run("curl", curlArgs(requests)));
    const json = JSON.stringify(requests);
    const nodeFloor = await measureWithCost("B: bare node, node:http", RUNS, () => nodeCost([join(import.meta.dirname, "node-floor.mjs"), json]));
    const undiciFloor = await measureWithCost("C: bare node, undici", RUNS, () => nodeCost([join(import.meta.dirname, "undici-floor.mjs"), json]));
    const certify = await measureWithCost("lmcert certify --json (cold)", RUNS, () =>
      nodeCost([BIN, "certify", u, "--json", "--no-browser", "--probe-address", "127.0.0.2"]),
    );
    const pact = await measure("lmcert pact verify (cold)", RUNS, () => run(process.execPath, [BIN, "pact", "verify", u, "--allow-mutations"]).catch(() => undefined));
    const startup = await measureWithCost("lmcert --version (startup only)", RUNS, () => nodeCost([BIN, "--version"]));
    printTable("1. one host, read-only, cold process (ratios against floor A, curl)", floor, [nodeFloor, undiciFloor, certify, pact, startup]);
    const ratio = (a: Sample, b: Sample) => `${(a.median / b.median).toFixed(2)}x`;
    console.log(`  certify against floor B (node:http): ${ratio(certify, nodeFloor)}; against floor C (undici): ${ratio(certify, undiciFloor)} (target ≤ 1.5x)`);
    const cpu = (s: Sample) => s.cpuMs ?? NaN;
    console.log(`  in CPU time: certify ${(cpu(certify) / cpu(nodeFloor)).toFixed(2)}x floor B, ${(cpu(certify) / cpu(undiciFloor)).toFixed(2)}x floor C`);
    console.log(`  certify minus startup: ${(certify.median - startup.median).toFixed(1)} ms of actual work`);
  } finally {
    await mock.close();
  }
}
