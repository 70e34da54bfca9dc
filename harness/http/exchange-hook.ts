/**
 * @module The HTTP client's observer hook: one callback per finished exchange, with everything that was sent and
 * received, unredacted and untrimmed. `lmcert record` uses it to write a HAR file (and redacts there).
 *
 * Kept apart from the client's internals on purpose: whatever transport the client uses, it only has to call the
 * listener once per request with these fields.
 */

export interface ObservedExchange {
  /** Wall-clock time the request started. */
  readonly startedAt: Date;
  readonly method: string;
  readonly url: string;
  /** As sent, lower-case names. May hold the Authorization header: a listener that stores anything must redact. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string | null;
  /** Null when no response arrived (refused, reset, timeout…); `error` then says what happened. */
  readonly response: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly bodyText: string;
  } | null;
  readonly error: string | null;
  /** Milliseconds until the response head arrived (null without one), and until the exchange ended. */
  readonly waitMs: number | null;
  readonly totalMs: number;
}

export type ExchangeListener = (exchange: ObservedExchange) => void;
