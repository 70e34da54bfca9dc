/**
 * @module Benchmark 1: one host, read-only, cold process. `lmcert certify --json` as a user runs it, against the
 * floor (curl making the same HTTP requests) and the Pact Verifier on the router's contract.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { preset } from "../fixtures/mock/presets.ts";
import { startMock } from "../fixtures/mock/server.ts";
import { measure, printTable } from "./stats.ts";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "..", "bin", "lmcert.js");
const RUNS = 5;

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
    const floor = await measure("curl, same requests (floor)", RUNS, () => run("curl", curlArgs(requests)));
    const nodeFloor = await measure("bare node, same requests", RUNS, () =>
      run(process.execPath, [join(import.meta.dirname, "node-floor.mjs"), JSON.stringify(requests)]),
    );
    const certify = await measure("lmcert certify --json (cold)", RUNS, () =>
      run(process.execPath, [BIN, "certify", u, "--json", "--no-browser", "--probe-address", "127.0.0.2"]).catch(() => undefined),
    );
    const pact = await measure("lmcert pact verify (cold)", RUNS, () => run(process.execPath, [BIN, "pact", "verify", u, "--allow-mutations"]).catch(() => undefined));
    const startup = await measure("lmcert --version (startup only)", RUNS, () => run(process.execPath, [BIN, "--version"]));
    printTable("1. one host, read-only, cold process (ratios against the curl floor)", floor, [nodeFloor, certify, pact, startup]);
    console.log(`  certify against the bare-node floor: ${(certify.median / nodeFloor.median).toFixed(2)}x`);
    console.log(`  certify minus startup: ${(certify.median - startup.median).toFixed(1)} ms of actual work`);
  } finally {
    await mock.close();
  }
}
