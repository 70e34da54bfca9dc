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

export async function coldCertifyBench(): Promise<void> {
  const mock = await startMock(preset("compliant"));
  try {
    const u = mock.url;
    // The same requests a read-only certify makes: discovery, CORS preflights and actual requests, bind, auth.
    const curlArgs = [
      ...["/lmstudio-greeting", "/v1/models", "/api/v0/models", "/api/v1/models"].flatMap((p) => [`${u}${p}`]),
      ...Array.from({ length: 8 }, () => ["-X", "OPTIONS", "-H", "Origin: http://example.test", `${u}/v1/models`]).flat(),
      `${u}/v1/models`,
      "-X", "POST", "-d", "{}", `${u}/v1/chat/completions`,
    ];
    const floor = await measure("curl, same requests (floor)", RUNS, () => run("curl", ["-s", "-o", "/dev/null", ...curlArgs]));
    const certify = await measure("lmcert certify --json (cold)", RUNS, () =>
      run(process.execPath, [BIN, "certify", u, "--json", "--no-browser", "--probe-address", "127.0.0.2"]).catch(() => undefined),
    );
    const pact = await measure("lmcert pact verify (cold)", RUNS, () => run(process.execPath, [BIN, "pact", "verify", u, "--allow-mutations"]).catch(() => undefined));
    const startup = await measure("node + tsx startup (lmcert --version)", RUNS, () => run(process.execPath, [BIN, "--version"]));
    printTable("1. one host, read-only, cold process (ratios against the curl floor)", floor, [certify, pact, startup]);
    console.log(`  certify minus startup: ${(certify.median - startup.median).toFixed(1)} ms of actual work`);
  } finally {
    await mock.close();
  }
}
