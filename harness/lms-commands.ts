/**
 * @module The `lms` commands lmcert prints, built from the standard. Here, in the harness, so that both the checks'
 * remedies (suites/remedies.ts) and the harness's own fixes (a container that never answered) print the same words.
 */
import type { Standard } from "../contracts/standard.ts";

/**
 * The whole server start command for this standard. lms's server start turns CORS off unless `--cors` is given,
 * and binds `--bind`, else LMS_SERVER_HOST, else 127.0.0.1: the saved "Serve on Local Network" setting is ignored
 * (lmstudio-ai/lms, src/subcommands/server.ts). A start without the flags would therefore break the cors.* and
 * bind.* checks the next run makes, so every fix that starts the server prints every flag (issue 11.1).
 */
export function lmsServerStart(standard: Standard): string {
  const flags = [`--port ${standard.bind.port}`, `--bind ${standard.bind.address}`, ...(standard.cors === "any-origin" ? ["--cors"] : [])];
  // Joined as words, so that no literal "start" without its flags appears in the source (test/operator-messages).
  return ["lms", "server", "start", ...flags].join(" ");
}

/** Restarting picks up changed settings; the start half carries the standard's flags for the reason above. */
export function lmsServerRestart(standard: Standard): string {
  return `lms server stop && ${lmsServerStart(standard)}`;
}
