/** @module The one HTTP client: per-request timeout, overall deadline, body cap, typed errors, recorded evidence. */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions as NodeRequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Evidence } from "../../contracts/certificate.ts";
import { HttpError } from "../errors.ts";
import { excerpt, makeEvidence, selectHeaders } from "./evidence.ts";
import { abortAfter } from "./abort-after.ts";
import { classify, describeKind } from "./transport-errors.ts";
import type { ExchangeListener } from "./exchange-hook.ts";

export interface HttpClientOptions {
  /** Bearer token for hosts with "Require Authentication" on. Sent, never recorded. */
  readonly token?: string | undefined;
  /** Per request: connect + headers + body. */
  readonly timeoutMs?: number;
  /** Whole run against this host; requests after it fail fast as timeouts. */
  readonly deadline?: number | undefined;
  /** A body larger than this is an error, not an out-of-memory crash. */
  readonly maxBodyBytes?: number;
  /** Aborts every request in flight (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
  /** Told about every finished exchange, complete and unredacted (`lmcert record`). */
  readonly onExchange?: ExchangeListener | undefined;
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

interface RequestLimit {
  readonly ms: number;
  readonly by: "request-timeout" | "host-deadline";
}

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

// Node's own http client rather than undici: undici parses HTTP with a WebAssembly llhttp that added ~45 MB of
// peak RSS and ~60 ms of cold start to every lmcert process (bench/RESULTS.md); node:http uses the same parser
// compiled into Node. Connections are kept alive between the requests of one host's run.
// `timeout` closes a connection after 1 s idle: well inside the 5 s after which LM Studio's Express server drops
// an idle connection, so a request is almost never sent on a connection the server is closing.
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 8, timeout: 1_000 };
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);

export class HttpClient {
  #httpAgent: HttpAgent | undefined;
  #httpsAgent: HttpsAgent | undefined;
  readonly #options: HttpClientOptions;

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
    const startedAt = new Date();
    let headersAt: number | null = null;
    const base = { method, url };
    const headers = this.#headers(options);
    const limit = this.#limit(options.timeoutMs);
    const abort = abortAfter(limit.ms, this.#options.signal);
    const { signal } = abort;
    let status: number | null = null;
    let responseHeaders: Record<string, string> = {};
    let body: string | undefined;
    const observe = (response: { status: number; headers: Record<string, string>; bodyText: string } | null, error: string | null) =>
      this.#options.onExchange?.({
        startedAt,
        method,
        url,
        requestHeaders: headers,
        requestBody: body ?? null,
        response,
        error,
        waitMs: headersAt === null ? null : headersAt - started,
        totalMs: performance.now() - started,
      });
    try {
      body = options.json === undefined ? undefined : JSON.stringify(options.json);
      if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
      const response = await this.#request(url, { method, headers, signal }, body);
      headersAt = performance.now();
      // A client-side response always has a status code; the fallback only satisfies the type.
      const code = response.statusCode ?? 0;
      status = code;
      responseHeaders = flattenHeaders(response.headers);
      const bodyText = await this.#readCapped(response, responseHeaders, base, code);
      const evidence = this.#evidence(base, started, { status: code, headers: responseHeaders, body: bodyText });
      observe({ status: code, headers: responseHeaders, bodyText }, null);
      return { status: code, headers: responseHeaders, bodyText, evidence };
    } catch (error) {
      if (error instanceof HttpError) {
        observe(null, error.message);
        throw error;
      }
      const kind = classify(error, signal);
      const message = `${kind === "timeout" ? this.#whyStopped(limit) : describeKind(kind, limit.ms)}: ${method} ${url}`;
      const evidence = this.#evidence(base, started, { status, headers: responseHeaders, body: null, error: message });
      observe(null, message);
      throw new HttpError(kind, message, evidence, { cause: error });
    } finally {
      abort.dispose();
    }
  }

  /** GET and parse JSON; a non-JSON content type or unparsable body is a typed error with evidence. */
  async getJson(url: string, options: RequestOptions = {}): Promise<{ exchange: Exchange; json: unknown }> {
    const exchange = await this.send("GET", url, options);
    return { exchange, json: parseJsonBody(exchange) };
  }

  /** Ends every connection at once: a graceful close would wait on a request a hung server never answers. */
  async close(): Promise<void> {
    this.#httpAgent?.destroy();
    this.#httpsAgent?.destroy();
  }

  /**
   * Resolves with the response head; the body is still to be read. A server may close an idle kept-alive
   * connection just as a request goes out on it. For a GET, HEAD or OPTIONS on a reused connection that is reset
   * that way, the request is sent once more on a new connection (Node's documented remedy). A server that resets
   * every request still fails: the retry resets as well.
   */
  #request(url: string, options: NodeRequestOptions, body: string | undefined, retried = false): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      // new URL() first: a malformed URL throws ERR_INVALID_URL, which classify() reports as an invalid URL.
      const target = new URL(url);
      const request = target.protocol === "https:"
        ? httpsRequest(target, { ...options, agent: (this.#httpsAgent ??= new HttpsAgent(AGENT_OPTIONS)) }, resolve)
        : httpRequest(target, { ...options, agent: (this.#httpAgent ??= new HttpAgent(AGENT_OPTIONS)) }, resolve);
      request.on("error", (error: NodeJS.ErrnoException) => {
        const staleConnection = request.reusedSocket && error.code === "ECONNRESET" && IDEMPOTENT.has(options.method ?? "GET");
        if (staleConnection && !retried && !options.signal?.aborted) resolve(this.#request(url, options, body, true));
        else reject(error);
      });
      request.end(body);
    });
  }

  #timeout(override?: number): number {
    return override ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  #headers(options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.json !== undefined) headers["content-type"] = "application/json";
    if (this.#options.token) headers["authorization"] = `Bearer ${this.#options.token}`;
    return headers;
  }

  /** How long this request may take, and which limit that is: its own timeout or the host's deadline. */
  #limit(timeoutOverride?: number): RequestLimit {
    const timeout = this.#timeout(timeoutOverride);
    const remaining = this.#options.deadline === undefined ? Infinity : this.#options.deadline - Date.now();
    return remaining < timeout ? { ms: Math.max(1, remaining), by: "host-deadline" } : { ms: timeout, by: "request-timeout" };
  }

  /**
   * Says which limit stopped a request, so the reason is true: a Ctrl-C is not a timeout, and a request cut short
   * by the host's deadline did not get its full timeout (issue 12: "within 30000 ms" after ~3 s).
   */
  #whyStopped(limit: RequestLimit): string {
    if (this.#options.signal?.aborted) return "Interrupted (Ctrl-C or SIGTERM) before the response was complete";
    if (limit.by === "host-deadline") return `No complete response before the host's deadline ran out (${Math.round(limit.ms)} ms of it were left; --host-timeout)`;
    return describeKind("timeout", limit.ms);
  }


  async #readCapped(
    body: IncomingMessage,
    headers: Record<string, string>,
    base: { method: string; url: string },
    status: number,
  ): Promise<string> {
    const cap = this.#options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const started = performance.now();
    const declared = Number(headers["content-length"]);
    const tooLarge = (seen: string) => {
      body.destroy();
      const message = `Response body larger than ${cap} bytes (${seen}): ${base.method} ${base.url}`;
      const evidence = this.#evidence(base, started, { status, headers, body: null, error: message });
      return new HttpError("body-too-large", message, evidence);
    };
    if (Number.isFinite(declared) && declared > cap) throw tooLarge(`content-length ${declared}`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > cap) throw tooLarge(`${size}+ bytes received`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  #evidence(
    base: { method: string; url: string },
    started: number,
    seen: { status: number | null; headers: Record<string, string>; body: string | null; error?: string },
  ): Evidence {
    const secrets = this.#options.token ? [this.#options.token] : [];
    return makeEvidence({
      ...base,
      status: seen.status,
      headers: selectHeaders(seen.headers),
      bodyExcerpt: excerpt(seen.body, secrets),
      error: seen.error ?? null,
      durationMs: Math.round(performance.now() - started),
    });
  }
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
