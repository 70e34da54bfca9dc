/**
 * @module The connection pool every request to a host goes through: one undici `Agent` per run (a fleet run shares
 * one across all its hosts), with undici's own limits in place of code of ours.
 */
import { Agent, interceptors, type Dispatcher } from "undici";

export const DEFAULT_TIMEOUT_MS = 5_000;
/** A body larger than this is an error, not an out-of-memory crash. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface HostAgentOptions {
  /** TCP (and TLS) connect; headers and body have their own per-request limits. */
  readonly connectTimeoutMs?: number;
  /** Open connections per origin (host:port). A fleet of N hosts may hold N × this. */
  readonly connectionsPerOrigin?: number;
  /**
   * Longest a connection may sit idle before undici closes it (default: the server's `Keep-Alive` hint, LM Studio's
   * 5 s). A fleet sets it short: a finished host's connections would otherwise stay open that long, and at ~100
   * hosts a second that is thousands of idle sockets, with their buffers, for nothing.
   */
  readonly idleConnectionMs?: number;
}

/**
 * An agent with the settings lmcert relies on:
 * - `connect.timeout`, and per request `headersTimeout`/`bodyTimeout` (set by HttpClient): undici's own timers, so
 *   a hung server ends a request even under garbage-collection pressure. Node 20 can collect an
 *   `AbortSignal.timeout()` inside `AbortSignal.any()` before it fires (nodejs/node#57736); none is used here.
 * - `maxResponseSize`: a host streaming an endless body fails with UND_ERR_RES_EXCEEDED_MAX_SIZE instead of
 *   filling memory.
 * - keep-alive: undici honours the server's `Keep-Alive: timeout=…` hint (LM Studio's Express sends 5 s) and
 *   checks an idle connection before it reuses it, so no idle-timer tuning of ours.
 * - retry: a GET, HEAD or OPTIONS that a server answers by closing the connection (what a server closing an idle
 *   kept-alive connection does to a request already under way) is sent once more at once, on a new connection. A
 *   POST (a load, an unload) is never repeated: it may already have taken effect. Status codes are never retried:
 *   a 5xx or 429 is the host's answer, and the checks judge it.
 */
export function createHostAgent(options: HostAgentOptions = {}): Dispatcher {
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 8,
    connect: { timeout: options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS },
    maxResponseSize: DEFAULT_MAX_BODY_BYTES,
    ...(options.idleConnectionMs === undefined ? {} : { keepAliveTimeout: options.idleConnectionMs, keepAliveMaxTimeout: options.idleConnectionMs }),
  });
  return agent.compose(
    interceptors.retry({
      maxRetries: 1,
      minTimeout: 0,
      methods: ["GET", "HEAD", "OPTIONS"],
      statusCodes: [],
      // What undici reports for a connection the server closed or reset under a request. Not ECONNREFUSED: nothing
      // is listening, and asking again changes nothing.
      errorCodes: ["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"],
    }),
  );
}
