/** @module Maps what undici (and Node's sockets and TLS under it) throws to lmcert's transport error kinds, worded for people. */
import type { HttpErrorKind } from "../errors.ts";

/** The codes and names along an error's cause chain: undici wraps socket errors, Node wraps DNS errors. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === "string") codes.push(code);
    if (typeof name === "string") codes.push(name);
    current = cause;
  }
  return codes;
}

function messages(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { message, cause } = current as { message?: unknown; cause?: unknown };
    if (typeof message === "string") parts.push(message);
    current = cause;
  }
  return parts.join("\n");
}

const TIMEOUT_CODES = ["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT", "TimeoutError"];
/**
 * A connection closed or reset under a request, or a body shorter than its content-length. UND_ERR_REQ_RETRY: the
 * retry interceptor (agent.ts) asked for the rest of a body cut off mid-way with a Range request, and the server did
 * not serve ranges (LM Studio does not); status codes are never retried, so it means nothing else.
 */
const RESET_CODES = ["UND_ERR_SOCKET", "ECONNRESET", "EPIPE", "UND_ERR_RES_CONTENT_LENGTH_MISMATCH", "ERR_STREAM_PREMATURE_CLOSE", "UND_ERR_REQ_RETRY"];
const DNS_CODES = ["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"];

/** @param signal the run's signal: once it fired (Ctrl-C, SIGTERM), whatever broke the request is an interruption. */
export function classify(error: unknown, signal?: AbortSignal): HttpErrorKind {
  const codes = errorCodes(error);
  const has = (list: readonly string[]) => codes.some((c) => list.includes(c));
  if (has(["ERR_INVALID_URL", "ERR_INVALID_PROTOCOL"])) return "invalid-url";
  if (signal?.aborted) return "interrupted";
  if (has(["ECONNREFUSED"])) return "refused";
  if (has(["UND_ERR_RES_EXCEEDED_MAX_SIZE"])) return "body-too-large";
  if (has(TIMEOUT_CODES)) return "timeout";
  if (has(RESET_CODES)) return "reset";
  if (has(DNS_CODES)) return "dns";
  // OpenSSL's words when the first bytes back are not a TLS record, i.e. the server answered in plain HTTP.
  if (/wrong version number|packet length too long|http request/i.test(messages(error))) return "tls-to-plain-http";
  if (codes.some((c) => c === "EPROTO" || /^ERR_SSL_|^ERR_TLS_|CERT|SELF_SIGNED|UNABLE_TO_/.test(c))) return "tls";
  return "network";
}

export interface RequestLimits {
  /** What the request was allowed. */
  readonly budgetMs: number;
  /** The host's overall deadline, not the request's own timeout, set the budget: the message says so. */
  readonly cutByDeadline: boolean;
  readonly maxBodyBytes: number;
}

/** The words for a failure of `kind`, without the "METHOD URL" suffix the client adds. */
export function describeKind(kind: HttpErrorKind, limits: RequestLimits): string {
  switch (kind) {
    case "refused":
      return "Connection refused (nothing is listening there)";
    case "timeout":
      return limits.cutByDeadline
        ? `No complete response before the host's deadline ran out (${Math.round(limits.budgetMs)} ms of it were left; --host-timeout)`
        : `No complete response within ${limits.budgetMs} ms`;
    case "interrupted":
      return "Interrupted (Ctrl-C or SIGTERM) before the response was complete";
    case "reset":
      return "Connection reset before the response was complete";
    case "body-too-large":
      return `Response body larger than ${limits.maxBodyBytes} bytes`;
    case "invalid-url":
      return "Invalid URL (lmcert speaks http:// and https://)";
    case "dns":
      return "The host name does not resolve (DNS lookup failed)";
    case "tls-to-plain-http":
      return "TLS handshake failed: the server answers plain HTTP, not https";
    case "tls":
      return "TLS handshake failed (e.g. a certificate this machine does not trust)";
    default:
      return "Network error";
  }
}
