/** @module Fixes in LM Studio's own words, shared by the checks that can end in them. */
import type { Standard } from "../contracts/standard.ts";
import type { HttpErrorKind } from "../harness/errors.ts";
import type { Remedy } from "../harness/types.ts";

// Built in the harness (which must not import from suites) and re-exported for the checks.
export { lmsServerRestart, lmsServerStart } from "../harness/lms-commands.ts";
import { lmsServerRestart, lmsServerStart } from "../harness/lms-commands.ts";

export const REMEDY = {
  token:
    "The host has \"Require Authentication\" on: create a token in Developer → Server Settings → Manage Tokens and pass its environment variable with --token-env VAR (lmcert never takes the token itself on the command line).",
  upgradeForState:
    "Update LM Studio: 0.3.6 adds /api/v0/models with a per-model `state`, and 0.4.0 adds /api/v1/models with `loaded_instances` (recommended). Then re-run.",
  jitOff:
    "In LM Studio: Developer → Server Settings → turn off \"Just-in-Time Model Loading\". /v1/models then lists only loaded models. Load the models this host should serve with `lms load <model>`.",
  jitOn:
    "In LM Studio: Developer → Server Settings → turn on \"Just-in-Time Model Loading\" so /v1/models lists every downloaded model.",
  serverRunning: (s: Standard) =>
    `Start the LM Studio server on the host (Developer → Start Server, or \`${lmsServerStart(s)}\`) and check the URL and port. A server other than LM Studio answers at this address if the greeting is missing.`,
  upgradeForLoad:
    "Update LM Studio to 0.4.0 or newer (adds POST /api/v1/models/load and /unload), or keep the LM Studio SDK websocket reachable on the server port so lmcert can load and unload through it.",
  inferenceBroken:
    "The server does not answer inference the way LM Studio does (a 5xx, or a page from something else). Check the server log (`lms log stream`), that the loaded model works in LM Studio's chat, and that no proxy answers in LM Studio's place; then re-run.",
  reportBug: (s: Standard) =>
    `This is LM Studio answering inconsistently. Restart the server (\`${lmsServerRestart(s)}\`); if it persists, report it at github.com/lmstudio-ai/lmstudio-bug-tracker with this certificate's evidence.`,
} as const;

/** `http://10.0.0.100:1234` → `10.0.0.100` and `1234` (the URL's default port when it names none). */
function hostAndPort(url: string): { host: string; port: string } {
  const u = new URL(url);
  return { host: u.hostname, port: u.port || (u.protocol === "https:" ? "443" : "80") };
}

/**
 * What to do when lmcert could not ask the host at all, one fix per cause: nothing listening, no answer in time,
 * a name that does not resolve, https:// against LM Studio's plain-HTTP server, any other TLS failure.
 */
export function unreachableRemedy(kind: HttpErrorKind | undefined, url: string): Remedy {
  const { host, port } = hostAndPort(url);
  switch (kind) {
    case "refused":
      return (s) =>
        `Nothing listens on ${host} port ${port}. On the host, start LM Studio's server (Developer → Start Server, or \`${lmsServerStart(s)}\`) and check the port in the URL. If it runs but only on 127.0.0.1, turn on "Serve on Local Network" (Developer → Server Settings).`;
    case "timeout":
      return (s) =>
        `${host} port ${port} did not answer in time. Check that the host is up and that its firewall lets this machine connect to port ${port} (macOS: System Settings → Network → Firewall must allow LM Studio), and that "Serve on Local Network" is on (or the server was started with \`${lmsServerStart(s)}\`). A host busy loading a model may just be slow: try a longer --timeout, e.g. --timeout 15s.`;
    case "dns":
      return `The name ${host} does not resolve from this machine. Check the spelling, or use the host's IP address (e.g. http://10.0.0.100:${port}), or add the name to DNS or /etc/hosts.`;
    case "tls-to-plain-http":
      return `The server at ${host}:${port} answers plain HTTP, not https (LM Studio's server has no TLS): use http://${host}:${port}.`;
    case "tls":
      return `The TLS handshake with ${host}:${port} failed. LM Studio itself serves plain HTTP (use http://${host}:${port}); if a TLS proxy sits in front of it, check that this machine trusts its certificate (NODE_EXTRA_CA_CERTS=<ca.pem>).`;
    case "interrupted":
      return `lmcert was stopped (Ctrl-C or SIGTERM) before ${host}:${port} answered, so nothing is known about it yet: run lmcert again.`;
    case "reset":
      return (s) =>
        `${host}:${port} closed the connection without answering. If a TLS proxy sits in front of LM Studio, use https://${host}:${port}; otherwise restart the server (\`${lmsServerRestart(s)}\`) and try again.`;
    default:
      return (s) =>
        `Check that ${host} is reachable from this machine (network, VPN, firewall) and that LM Studio's server runs there with "Serve on Local Network" on (or \`${lmsServerStart(s)}\`).`;
  }
}

/** Something answered, but not LM Studio: usually the wrong port, or another program on LM Studio's port. */
export function notLmStudioRemedy(url: string): Remedy {
  const { host, port } = hostAndPort(url);
  return (s) =>
    `Something other than LM Studio answers at ${host}:${port}. Check the port: LM Studio's is in Developer → Server Settings → Server Port (\`lms server status\` on the host prints it). If another program holds the port, stop it, then start LM Studio's server with \`${lmsServerStart(s)}\`.`;
}
