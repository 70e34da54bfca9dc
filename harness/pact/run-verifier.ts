/**
 * @module Runs the Pact Verifier (pact-core, Pact's Rust verifier) against a host, in a child process.
 *
 * Why a child process: the Rust verifier prints its report straight to file descriptor 1, always with ANSI colours
 * (it ignores NO_COLOR and whether stdout is a terminal), and Node cannot redirect a native library's stdout.
 * In a child, lmcert captures that report: the certificate keeps it as plain text, `lmcert pact verify` prints it
 * (uncoloured), and a test run prints nothing it did not ask for.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { z } from "zod";
import { redactSecrets } from "../server-text.ts";

export interface VerifierRun {
  readonly providerBaseUrl: string;
  readonly pactFile: string;
  readonly providerName: string;
  readonly stateChangeUrl: string;
  /** Sent as `Authorization: Bearer …` with every request; handed over in the child's environment, never argv. */
  readonly token?: string | undefined;
  /** Per request the verifier sends. */
  readonly requestTimeoutMs: number;
  readonly signal: AbortSignal;
  /** The verifier's report as it prints it, line by line, without colour codes and with tokens redacted. */
  readonly onOutput?: ((text: string) => void) | undefined;
}

export interface VerifierResult {
  readonly passed: boolean;
  /** On failure: the verifier's JSON result (or its error message). */
  readonly detail: string;
}

const ChildResult = z.object({ passed: z.boolean(), detail: z.string() });

// Runs in the child: plain CommonJS, so it needs no TypeScript loader and works from the sources and the bundle.
// argv: [pact-core path, options JSON]. The outcome goes to fd 3, apart from the report on fd 1 and 2.
const CHILD_SCRIPT = `
const { writeSync } = require("node:fs");
const core = require(process.argv[1]).default;
const options = JSON.parse(process.argv[2]);
const auth = process.env.LMCERT_PACT_AUTHORIZATION;
delete process.env.LMCERT_PACT_AUTHORIZATION;
// The object form: the array form splits "Name: value" at every colon, and LM Studio tokens contain one.
if (auth) options.customProviderHeaders = { Authorization: auth };
const done = (passed, detail) => writeSync(3, JSON.stringify({ passed, detail: String(detail) }));
const failed = (e) => done(false, e && e.message ? e.message : e);
try {
  core.verifyPacts(options).then((r) => done(true, r), failed);
} catch (e) {
  failed(e);
}
`;

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

export async function runPactVerifier(run: VerifierRun): Promise<VerifierResult> {
  // pact-core as @pact-foundation/pact (the declared dependency) resolves it, hoisted or not.
  const requireHere = createRequire(import.meta.url);
  const pactCore = createRequire(requireHere.resolve("@pact-foundation/pact")).resolve("@pact-foundation/pact-core");
  const options = {
    provider: run.providerName,
    providerBaseUrl: run.providerBaseUrl,
    pactUrls: [run.pactFile],
    providerStatesSetupUrl: run.stateChangeUrl,
    timeout: run.requestTimeoutMs,
    logLevel: "error",
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // lmcert sends nothing off this machine but to the host under test: no Pact usage telemetry.
    PACT_DO_NOT_TRACK: "true",
    // pact-core's own logger: errors only (it reads LOG_LEVEL when it loads).
    LOG_LEVEL: "error",
    ...(run.token ? { LMCERT_PACT_AUTHORIZATION: `Bearer ${run.token}` } : {}),
  };
  const child = spawn(process.execPath, ["-e", CHILD_SCRIPT, pactCore, JSON.stringify(options)], {
    env,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  let report = "";
  let outcome = "";
  // Whole lines only: a colour code split across two chunks would otherwise survive stripping.
  const emit = (text: string) => {
    const clean = redactSecrets(stripAnsi(text), run.token ? [run.token] : []);
    report += clean;
    run.onOutput?.(clean);
  };
  // One buffer per stream, so a line from stdout never splices into one from stderr.
  const pending = { stdout: "", stderr: "" };
  const take = (stream: keyof typeof pending) => (chunk: Buffer) => {
    pending[stream] += chunk.toString("utf8");
    const end = pending[stream].lastIndexOf("\n");
    if (end < 0) return;
    emit(pending[stream].slice(0, end + 1));
    pending[stream] = pending[stream].slice(end + 1);
  };
  child.stdout?.on("data", take("stdout"));
  child.stderr?.on("data", take("stderr"));
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on("data", (chunk: Buffer) => (outcome += chunk.toString("utf8")));
  const kill = () => child.kill("SIGKILL");
  run.signal.addEventListener("abort", kill, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (exitCode) => resolve(exitCode));
    });
    for (const rest of [pending.stdout, pending.stderr]) if (rest) emit(`${rest}\n`);
    if (run.signal.aborted) throw new Error("the Pact verifier was stopped: run interrupted");
    const parsed = ChildResult.safeParse(safeJson(outcome));
    if (!parsed.success) {
      throw new Error(`the Pact verifier ended without a result (exit code ${code}): ${report.trim().split("\n").slice(-3).join(" | ")}`);
    }
    return { passed: parsed.data.passed, detail: parsed.data.detail };
  } finally {
    run.signal.removeEventListener("abort", kill);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
