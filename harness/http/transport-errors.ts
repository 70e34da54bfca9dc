/** @module Maps what undici (and Node's sockets under it) throws to lmcert's transport error kinds, worded for people. */
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

const TIMEOUT_CODES = ["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT", "TimeoutError"];
/**
 * A connection closed or reset under a request, or a body shorter than its content-length. UND_ERR_REQ_RETRY: the
 * retry interceptor (agent.ts) asked for the rest of a body cut off mid-way with a Range request, and the server did
 * not serve ranges (LM Studio does not); status codes are never retried, so it means nothing else.
 */
const RESET_CODES = ["UND_ERR_SOCKET", "ECONNRESET", "EPIPE", "UND_ERR_RES_CONTENT_LENGTH_MISMATCH", "ERR_STREAM_PREMATURE_CLOSE", "UND_ERR_REQ_RETRY"];
const DNS_CODES = ["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"];

export interface TransportFailure {
  readonly kind: HttpErrorKind;
  /** Without the "METHOD URL" suffix, which the client adds. */
  readonly description: string;
}

export interface RequestLimits {
  /** What the request was allowed. */
  readonly budgetMs: number;
  /** The host's overall time limit, not the per-request timeout, set the budget: the message says so. */
  readonly cutByDeadline: boolean;
  readonly maxBodyBytes: number;
}

export function describeFailure(error: unknown, limits: RequestLimits): TransportFailure {
  const codes = errorCodes(error);
  const has = (list: readonly string[]) => codes.some((c) => list.includes(c));
  if (has(["ERR_INVALID_URL"])) return { kind: "invalid-url", description: "Invalid URL" };
  if (has(["ECONNREFUSED"])) return { kind: "refused", description: "Connection refused (nothing is listening there)" };
  if (has(["UND_ERR_RES_EXCEEDED_MAX_SIZE"])) return { kind: "body-too-large", description: `Response body larger than ${limits.maxBodyBytes} bytes` };
  if (has(TIMEOUT_CODES)) {
    const limit = limits.cutByDeadline ? " (what was left of this host's time limit)" : "";
    return { kind: "timeout", description: `No complete response within ${limits.budgetMs} ms${limit}` };
  }
  if (has(RESET_CODES)) return { kind: "reset", description: "Connection reset before the response was complete" };
  if (has(DNS_CODES)) return { kind: "network", description: "Host name not found (the DNS lookup failed)" };
  return { kind: "network", description: "Network error" };
}

export const INTERRUPTED = "Interrupted before the response was complete (lmcert was stopped)";
