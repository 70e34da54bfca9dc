/** @module Runs the CLI in-process with captured streams: fast, and the same code path as `npx lmcert`. */
import { main } from "../../harness/cli/main.ts";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: readonly string[], signal?: AbortSignal): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr };
}
