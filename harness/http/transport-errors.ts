/** @module Maps what Node's http client throws to lmcert's transport error kinds, and words them for people. */
import type { HttpErrorKind } from "../errors.ts";

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

export function classify(error: unknown, signal: AbortSignal): HttpErrorKind {
  const codes = errorCodes(error);
  if (codes.includes("ERR_INVALID_URL") || codes.includes("ERR_INVALID_PROTOCOL")) return "invalid-url";
  if (codes.includes("ECONNREFUSED")) return "refused";
  if (signal.aborted || codes.some((c) => /TIMEOUT|TimeoutError|AbortError/i.test(c))) return "timeout";
  if (codes.some((c) => ["ECONNRESET", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"].includes(c))) return "reset";
  return "network";
}

export function describeKind(kind: HttpErrorKind, timeoutMs: number): string {
  switch (kind) {
    case "refused":
      return "Connection refused (nothing is listening there)";
    case "timeout":
      return `No complete response within ${timeoutMs} ms`;
    case "reset":
      return "Connection reset before the response was complete";
    case "invalid-url":
      return "Invalid URL";
    default:
      return "Network error";
  }
}
