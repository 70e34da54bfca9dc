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

function messages(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { message, cause } = current as { message?: unknown; cause?: unknown };
    if (typeof message === "string") parts.push(message);
    current = cause;
  }
  return parts.join("\n");
}

export function classify(error: unknown, signal: AbortSignal): HttpErrorKind {
  const codes = errorCodes(error);
  if (codes.includes("ERR_INVALID_URL") || codes.includes("ERR_INVALID_PROTOCOL")) return "invalid-url";
  if (codes.includes("ECONNREFUSED")) return "refused";
  if (signal.aborted || codes.some((c) => /TIMEOUT|TimeoutError|AbortError/i.test(c))) return "timeout";
  if (codes.some((c) => ["ECONNRESET", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"].includes(c))) return "reset";
  if (codes.some((c) => ["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"].includes(c))) return "dns";
  // OpenSSL's words when the first bytes back are not a TLS record, i.e. the server answered in plain HTTP.
  if (/wrong version number|packet length too long|http request/i.test(messages(error))) return "tls-to-plain-http";
  if (codes.some((c) => c === "EPROTO" || /^ERR_SSL_|^ERR_TLS_|CERT|SELF_SIGNED|UNABLE_TO_/.test(c))) return "tls";
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
