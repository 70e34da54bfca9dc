/** @module Harness errors: one class each, a stable `code`, a "what: METHOD URL" message, and the cause kept. */
import type { Evidence } from "../contracts/certificate.ts";
import { redactSecrets } from "./server-text.ts";

/** Something lmcert itself could not do (bad input, unreachable host). The CLI maps these to exit code 2. */
export class LmcertError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad user input: a flag, a file, a field. The message names which. */
export class UsageError extends LmcertError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("LMCERT_USAGE", message, options);
  }
}

export type HttpErrorKind =
  | "refused"
  | "timeout"
  /** The run was stopped (Ctrl-C, SIGTERM) while the request was under way: nothing is known about the host. */
  | "interrupted"
  | "reset"
  | "body-too-large"
  | "bad-json"
  | "wrong-content-type"
  | "invalid-url"
  /** The host name does not resolve (ENOTFOUND, EAI_AGAIN). */
  | "dns"
  /** https:// to a server that answers plain HTTP (OpenSSL "wrong version number"); LM Studio serves plain HTTP. */
  | "tls-to-plain-http"
  /** Any other TLS failure, e.g. a certificate this machine does not trust. */
  | "tls"
  | "network";

/** A transport-level failure talking to a host. It carries the evidence gathered before it broke. */
export class HttpError extends LmcertError {
  readonly kind: HttpErrorKind;
  readonly evidence: Evidence;
  constructor(kind: HttpErrorKind, message: string, evidence: Evidence, options?: { cause?: unknown }) {
    super(`LMCERT_HTTP_${kind.toUpperCase().replaceAll("-", "_")}`, message, options);
    this.kind = kind;
    this.evidence = evidence;
  }
}

export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}

/**
 * Shown to people: the message, never a stack, and never a token. Messages quote servers (a body start, an SDK
 * error), so they pass the server-text redaction like everything else that is printed.
 */
export function describeError(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
