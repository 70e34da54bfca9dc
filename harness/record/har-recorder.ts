/**
 * @module Turns the HTTP client's exchanges into a HAR 1.2 log (`lmcert record`). Everything is redacted through
 * the evidence helpers before it is kept: Authorization and cookie headers blanked, tokens masked in URLs, headers
 * and bodies. A recording is meant to be attached to a bug report.
 */
import { STATUS_CODES } from "node:http";
import { isIP } from "node:net";
import type { Har, HarEntry, HarNameValue, HarSdkState } from "../../contracts/har.ts";
import type { ExchangeListener, ObservedExchange } from "../http/exchange-hook.ts";
import { redactHeaders, redactSecrets, redactUrl } from "../http/evidence.ts";
import { HARNESS_VERSION } from "../version.ts";

export class HarRecorder {
  readonly #entries: HarEntry[] = [];
  readonly #secrets: readonly string[];

  /** `secrets`: values to mask wherever they appear (the token), on top of the generic token patterns. */
  constructor(secrets: readonly string[] = []) {
    this.#secrets = secrets;
  }

  readonly listener: ExchangeListener = (exchange) => {
    this.#entries.push(toEntry(exchange, this.#secrets));
  };

  get size(): number {
    return this.#entries.length;
  }

  /**
   * The log, entries in the order their requests started (how devtools show them). `origin`: the recorded host's
   * URL; the replay answers from its entries only, not from the probes of other addresses.
   */
  toHar(comment: string, sdk: HarSdkState | null = null, origin: string | null = null): Har {
    const entries = [...this.#entries].sort((a, b) => a.startedDateTime.localeCompare(b.startedDateTime));
    return {
      log: {
        version: "1.2",
        creator: { name: "lmcert", version: HARNESS_VERSION },
        entries,
        comment: redactSecrets(comment, this.#secrets),
        ...(sdk ? { _lmcertSdk: sdk } : {}),
        ...(origin ? { _lmcertOrigin: new URL(origin).origin } : {}),
      },
    };
  }
}

const ms = (value: number) => Math.max(0, Math.round(value * 1000) / 1000);
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

function pairs(headers: Readonly<Record<string, string>>): HarNameValue[] {
  return Object.entries(headers).map(([name, value]) => ({ name, value }));
}

function isIpLiteral(url: string): boolean {
  return isIP(new URL(url).hostname.replace(/^\[|\]$/g, "")) !== 0;
}

function toEntry(exchange: ObservedExchange, secrets: readonly string[]): HarEntry {
  const clean = (text: string) => redactSecrets(text, secrets);
  const url = clean(redactUrl(exchange.url));
  const requestHeaders = redactHeaders(exchange.requestHeaders, secrets);
  const wait = exchange.waitMs ?? exchange.totalMs;
  const request: HarEntry["request"] = {
    method: exchange.method,
    url,
    httpVersion: "HTTP/1.1",
    cookies: [],
    headers: pairs(requestHeaders),
    queryString: [...new URL(url).searchParams].map(([name, value]) => ({ name, value })),
    ...(exchange.requestBody === null
      ? {}
      : { postData: { mimeType: requestHeaders["content-type"] ?? "application/octet-stream", text: clean(exchange.requestBody) } }),
    headersSize: -1,
    bodySize: exchange.requestBody === null ? 0 : bytes(exchange.requestBody),
  };
  const response: HarEntry["response"] = exchange.response
    ? {
        status: exchange.response.status,
        statusText: STATUS_CODES[exchange.response.status] ?? "",
        httpVersion: "HTTP/1.1",
        cookies: [],
        headers: pairs(redactHeaders(exchange.response.headers, secrets)),
        content: {
          size: bytes(exchange.response.bodyText),
          mimeType: exchange.response.headers["content-type"] ?? "x-unknown",
          text: clean(exchange.response.bodyText),
        },
        redirectURL: exchange.response.headers["location"] ?? "",
        headersSize: -1,
        bodySize: bytes(exchange.response.bodyText),
      }
    : {
        // What browsers write for a request that got no response; `_error` (a HAR custom field) says why.
        status: 0,
        statusText: "",
        httpVersion: "HTTP/1.1",
        cookies: [],
        headers: [],
        content: { size: 0, mimeType: "x-unknown" },
        redirectURL: "",
        headersSize: -1,
        bodySize: -1,
        _error: clean(exchange.error ?? "no response"),
      };
  return {
    startedDateTime: exchange.startedAt.toISOString(),
    time: ms(exchange.totalMs),
    request,
    response,
    cache: {},
    // Which address each exchange went to (HAR's own field): probes of other interfaces show as such.
    ...(isIpLiteral(exchange.url) ? { serverIPAddress: new URL(exchange.url).hostname.replace(/^\[|\]$/g, "") } : {}),
    timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: ms(wait), receive: ms(exchange.totalMs - wait), ssl: -1 },
  };
}
