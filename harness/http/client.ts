/**
 * @module The one HTTP client: every request to a host goes through an undici agent (harness/http/agent.ts), which
 * owns connections, timeouts, the body cap and the retry. What is lmcert's own sits here, around one request() call:
 * the error kinds and their wording, the per-host deadline, Ctrl-C, and the redacted evidence of each exchange.
 */
import { setMaxListeners } from "node:events";
import type { Dispatcher } from "undici";
import type { Evidence } from "../../contracts/certificate.ts";
import { HttpError, type HttpErrorKind } from "../errors.ts";
import { createHostAgent, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS } from "./agent.ts";
import { excerpt, makeEvidence, selectHeaders } from "./evidence.ts";
import { describeFailure, INTERRUPTED, type RequestLimits } from "./transport-errors.ts";

export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS };

export interface HttpClientOptions {
  /** Bearer token for hosts with "Require Authentication" on. Sent, never recorded. */
  readonly token?: string | undefined;
  /** Per request: connect, then headers, then the whole body. */
  readonly timeoutMs?: number;
  /** Whole run against this host (epoch ms); requests after it fail fast as timeouts. */
  readonly deadline?: number | undefined;
  /** Aborts every request in flight (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
  /**
   * The run's agent (harness/http/agent.ts): a certify run shares one between its clients, a fleet run one between
   * all hosts. The client never closes an agent it was given. Without one it makes its own on its first request and
   * ends it in close().
   */
  readonly agent?: Dispatcher | undefined;
}

export interface RequestOptions {
  readonly headers?: Record<string, string>;
  readonly json?: unknown;
  readonly timeoutMs?: number;
}

/** A completed exchange: any HTTP status counts as completed; only transport trouble throws. */
export interface Exchange {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly bodyText: string;
  readonly evidence: Evidence;
}

interface Seen {
  readonly status: number | null;
  readonly headers: Record<string, string>;
  readonly body: string | null;
  readonly error?: string;
}

export class HttpClient {
  readonly #options: HttpClientOptions;
  #ownAgent: Dispatcher | undefined;
  #stop: ClientStop | undefined;

  constructor(options: HttpClientOptions = {}) {
    this.#options = options;
  }

  /**
   * The token this client sends, for the one caller that must hand it on unchanged: the real-browser check, whose
   * page presents it like a cluster UI would. Never put it into evidence, output or files.
   */
  get bearerToken(): string | undefined {
    return this.#options.token;
  }

  /** Sends a request; resolves for any HTTP status, throws HttpError for transport failures. */
  async send(method: string, url: string, options: RequestOptions = {}): Promise<Exchange> {
    const started = performance.now();
    const limits = this.#limits(options.timeoutMs);
    let seen: Seen = { status: null, headers: {}, body: null };
    const fail = (kind: HttpErrorKind, description: string, cause?: unknown): HttpError => {
      const message = `${description}: ${method} ${url}`;
      const evidence = this.#evidence(method, url, started, { ...seen, body: null, error: message });
      return new HttpError(kind, message, evidence, cause === undefined ? undefined : { cause });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      throw fail("invalid-url", "Invalid URL", error);
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      throw fail("invalid-url", `Invalid URL (lmcert speaks http:// and https://, not ${target.protocol}//)`);
    }
    if (this.#options.signal?.aborted) throw fail("interrupted", INTERRUPTED);
    if (limits.budgetMs <= 0) throw fail("timeout", "Not sent: this host's time limit had already run out");
    const stop = (this.#stop ??= new ClientStop(this.#options.signal, this.#options.deadline));
    stop.inFlight++;
    try {
      const response = await this.#agent().request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: method as Dispatcher.HttpMethod,
        headers: this.#headers(options),
        body: options.json === undefined ? null : JSON.stringify(options.json),
        signal: stop.signal,
        headersTimeout: limits.budgetMs,
        bodyTimeout: limits.budgetMs,
      });
      seen = { ...seen, status: response.statusCode, headers: flattenHeaders(response.headers) };
      const body = await readWithin(response.body, started + limits.budgetMs);
      if (body === null) throw fail("timeout", describeFailure(new DOMException("", "TimeoutError"), limits).description);
      seen = { ...seen, body };
      return { status: response.statusCode, headers: seen.headers, bodyText: body, evidence: this.#evidence(method, url, started, seen) };
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (this.#options.signal?.aborted) throw fail("interrupted", INTERRUPTED, error);
      if (stop.ended) throw fail("timeout", "No response before the run moved on (its check ran out of time)", error);
      const failure = describeFailure(error, stop.deadlinePassed ? { ...limits, cutByDeadline: true } : limits);
      throw fail(failure.kind, failure.description, error);
    } finally {
      stop.inFlight--;
    }
  }

  /** GET and parse JSON; a non-JSON content type or unparsable body is a typed error with evidence. */
  async getJson(url: string, options: RequestOptions = {}): Promise<{ exchange: Exchange; json: unknown }> {
    const exchange = await this.send("GET", url, options);
    return { exchange, json: parseJsonBody(exchange) };
  }

  /**
   * Ends this client's requests still in flight (a check that overran its deadline can leave one waiting on a hung
   * server) and, if the agent is the client's own, every connection at once: a graceful close would wait on that
   * request. The client may be used again afterwards.
   */
  async close(): Promise<void> {
    this.#stop?.end();
    this.#stop = undefined;
    const own = this.#ownAgent;
    this.#ownAgent = undefined;
    await own?.destroy();
  }

  /** Made on first use: a command that never reaches a host never loads undici's HTTP parser. */
  #agent(): Dispatcher {
    return this.#options.agent ?? (this.#ownAgent ??= createHostAgent({ connectTimeoutMs: this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS }));
  }

  #limits(timeoutOverride?: number): RequestLimits {
    const timeoutMs = timeoutOverride ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const remaining = this.#options.deadline === undefined ? Infinity : this.#options.deadline - Date.now();
    return { budgetMs: Math.min(timeoutMs, remaining), cutByDeadline: remaining < timeoutMs, maxBodyBytes: DEFAULT_MAX_BODY_BYTES };
  }

  #headers(options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.json !== undefined) headers["content-type"] = "application/json";
    if (this.#options.token) headers["authorization"] = `Bearer ${this.#options.token}`;
    return headers;
  }

  #evidence(method: string, url: string, started: number, seen: Seen): Evidence {
    const secrets = this.#options.token ? [this.#options.token] : [];
    return makeEvidence({
      method,
      url,
      status: seen.status,
      headers: selectHeaders(seen.headers),
      bodyExcerpt: excerpt(seen.body, secrets),
      error: seen.error ?? null,
      durationMs: Math.round(performance.now() - started),
    });
  }
}

/**
 * One signal for every request of a client: it fires on Ctrl-C (the run's signal) and when the host's deadline
 * passes. The deadline needs a timer of its own because it also bounds the connect phase and a body trickling in
 * below undici's idle `bodyTimeout`. It is an ordinary timer held by this object until end(), not an
 * `AbortSignal.timeout()` (see agent.ts on nodejs/node#57736).
 */
class ClientStop {
  readonly #controller = new AbortController();
  readonly #outer: AbortSignal | undefined;
  readonly #onOuterAbort = () => this.#controller.abort(this.#outer?.reason);
  readonly #timer: NodeJS.Timeout | undefined;
  #deadlinePassed = false;

  constructor(outer: AbortSignal | undefined, deadline: number | undefined) {
    // undici adds one listener per request in flight; a check may send many at once. Without this, Node warns of a
    // listener leak (MaxListenersExceededWarning) although every listener is removed when its request ends.
    setMaxListeners(0, this.#controller.signal);
    this.#outer = outer;
    outer?.addEventListener("abort", this.#onOuterAbort, { once: true });
    if (deadline !== undefined) {
      this.#timer = setTimeout(() => {
        this.#deadlinePassed = true;
        this.#controller.abort(new DOMException("the host's time limit ran out", "TimeoutError"));
      }, Math.max(0, deadline - Date.now()));
      this.#timer.unref();
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get deadlinePassed(): boolean {
    return this.#deadlinePassed;
  }

  /** Requests of this client still waiting for an answer. */
  inFlight = 0;
  ended = false;

  end(): void {
    this.ended = true;
    clearTimeout(this.#timer);
    this.#outer?.removeEventListener("abort", this.#onOuterAbort);
    // Usually nothing is in flight; then no abort reason is made (a DOMException costs ~0.2 ms to construct).
    if (this.inFlight > 0) this.#controller.abort(new DOMException("the HTTP client was closed", "AbortError"));
  }
}

/**
 * The body as text, or null when it is still arriving at `endAt`. undici's `bodyTimeout` bounds the gap between
 * two chunks, not the whole body: a server sending a byte every so often would never trip it. Checking on each
 * chunk bounds the whole body to at most twice the budget without a timer.
 */
async function readWithin(body: Dispatcher.ResponseData["body"], endAt: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (performance.now() > endAt) {
      body.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** JSON parse with LM Studio's content type rule: `application/json` (it sends `; charset=utf-8`). */
export function parseJsonBody(exchange: Exchange): unknown {
  const type = exchange.headers["content-type"] ?? "";
  const { method, url } = exchange.evidence;
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    const message = `Expected a JSON response but got content-type "${type || "(none)"}" (HTTP ${exchange.status}): ${method} ${url}`;
    throw new HttpError("wrong-content-type", message, { ...exchange.evidence, error: message });
  }
  try {
    return JSON.parse(exchange.bodyText) as unknown;
  } catch (cause) {
    const message = `Malformed JSON (${(cause as Error).message}): ${method} ${url}`;
    throw new HttpError("bad-json", message, { ...exchange.evidence, error: message }, { cause });
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
