/**
 * @module The one HTTP client: every request to a host goes through an undici agent (harness/http/agent.ts), which
 * owns connections, timeouts, the body cap and the retry. What is lmcert's own sits here, around one request() call:
 * the error kinds and their wording, the per-host deadline, Ctrl-C, and the redacted evidence of each exchange.
 */
import type { Dispatcher } from "undici";
import type { Evidence } from "../../contracts/certificate.ts";
import { HttpError, type HttpErrorKind } from "../errors.ts";
import { createHostAgent, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS } from "./agent.ts";
import { excerpt, makeEvidence, selectHeaders } from "./evidence.ts";
import type { ExchangeListener } from "./exchange-hook.ts";
import { memoizeByString } from "./url-memo.ts";
import { classify, describeKind, type RequestLimits } from "./transport-errors.ts";

export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS };

export interface HttpClientOptions {
  /** Bearer token for hosts with "Require Authentication" on. Sent, never recorded. */
  readonly token?: string | undefined;
  /** Per request: connect, then headers, then the whole body. */
  readonly timeoutMs?: number;
  /** Whole run against this host (epoch ms): no request's budget reaches past it; requests after it fail fast. */
  readonly deadline?: number | undefined;
  /** Aborts every request in flight (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
  /** Told about every finished exchange, complete and unredacted (`lmcert record`). */
  readonly onExchange?: ExchangeListener | undefined;
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

  constructor(options: HttpClientOptions = {}) {
    this.#options = options;
  }

  /**
   * The token this client sends, for the callers that must hand it on: the real-browser check, whose page presents
   * it like a cluster UI would, and the SDK websocket, which presents it split (discovery, the sdk driver). Never
   * put it into evidence, output or files.
   */
  get bearerToken(): string | undefined {
    return this.#options.token;
  }

  /** Sends a request; resolves for any HTTP status, throws HttpError for transport failures. */
  async send(method: string, url: string, options: RequestOptions = {}): Promise<Exchange> {
    const started = performance.now();
    const startedAtMs = Date.now(); // a Date only if a listener wants one
    const limits = this.#limits(options.timeoutMs);
    const headers = this.#headers(options);
    const body = options.json === undefined ? null : JSON.stringify(options.json);
    if (body !== null) headers["content-length"] = String(Buffer.byteLength(body));
    let headersAt: number | null = null;
    let seen: Seen = { status: null, headers: {}, body: null };
    const observe = (error: string | null) =>
      this.#options.onExchange?.({
        startedAt: new Date(startedAtMs),
        method,
        url,
        requestHeaders: headers,
        requestBody: body,
        response: error === null && seen.status !== null ? { status: seen.status, headers: seen.headers, bodyText: seen.body ?? "" } : null,
        error,
        waitMs: headersAt === null ? null : headersAt - started,
        totalMs: performance.now() - started,
      });
    const fail = (kind: HttpErrorKind, description: string, cause?: unknown): HttpError => {
      const message = `${description}: ${method} ${url}`;
      const evidence = this.#evidence(method, url, started, { ...seen, body: null, error: message });
      observe(message);
      return new HttpError(kind, message, evidence, { cause });
    };
    if (this.#options.signal?.aborted) throw fail("interrupted", describeKind("interrupted", limits));
    if (limits.budgetMs <= 0) throw fail("timeout", "Not sent: this host's deadline had already run out (--host-timeout)");
    try {
      const target = requestTarget(url); // a malformed URL throws ERR_INVALID_URL: an `invalid-url` failure
      if (!/^https?:$/.test(target.protocol)) throw fail("invalid-url", describeKind("invalid-url", limits));
      const response = await this.#agent().request({
        origin: target.origin,
        path: target.path,
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        signal: this.#options.signal,
        headersTimeout: limits.budgetMs,
        bodyTimeout: limits.budgetMs,
      });
      headersAt = performance.now();
      seen = { ...seen, status: response.statusCode, headers: flattenHeaders(response.headers) };
      const bodyText = await readWithin(response.body, started + limits.budgetMs);
      seen = { ...seen, body: bodyText };
      observe(null);
      return { status: response.statusCode, headers: seen.headers, bodyText, evidence: this.#evidence(method, url, started, seen) };
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const kind = classify(error, this.#options.signal);
      throw fail(kind, describeKind(kind, limits), error);
    }
  }

  /** GET and parse JSON; a non-JSON content type or unparsable body is a typed error with evidence. */
  async getJson(url: string, options: RequestOptions = {}): Promise<{ exchange: Exchange; json: unknown }> {
    const exchange = await this.send("GET", url, options);
    return { exchange, json: parseJsonBody(exchange) };
  }

  /** Ends the client's own agent, every connection at once: a graceful close would wait on a hung server. */
  async close(): Promise<void> {
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

/** What undici's request() needs of a URL; memoised, since a host is asked the same URLs again and again. */
const requestTarget = memoizeByString((url: string): { readonly protocol: string; readonly origin: string; readonly path: string } => {
  const target = new URL(url);
  return { protocol: target.protocol, origin: target.origin, path: `${target.pathname}${target.search}` };
});

/**
 * The body as text. undici's `bodyTimeout` bounds the gap between two chunks, not the whole body: a server sending a
 * byte every so often would never trip it. Checking at each chunk bounds the whole body to twice the budget at most.
 */
async function readWithin(body: Dispatcher.ResponseData["body"], endAt: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (performance.now() > endAt) throw new DOMException("the body was still arriving", "TimeoutError");
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
