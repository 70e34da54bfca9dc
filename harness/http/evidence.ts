/** @module Evidence records: what was sent and seen, trimmed, with secrets redacted before anything is stored. */
import type { Evidence } from "../../contracts/certificate.ts";
import { knownSecretsVersion, redactSecrets, serverText, serverTextOrNull } from "../server-text.ts";
import { setMember } from "../plain-member.ts";
import { memoizeByString } from "./url-memo.ts";

export { redactSecrets };

/** Only headers that explain a verdict are kept; everything else is noise in a certificate. */
const KEPT_HEADERS = new Set([
  "content-type",
  "content-length",
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-allow-private-network",
  "access-control-allow-credentials",
  "vary",
  "www-authenticate",
  "x-powered-by",
  "server",
  "location",
]);

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie"]);
/** A long enough body start to explain a verdict; the cap is the choke point's (server-text.ts). */
const EXCERPT_CHARS = 512;
/** An error message is lmcert's own words around server text (a URL, a body start): a little more room. */
const ERROR_CHARS = 1024;

export function selectHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (value === undefined) continue;
    if (SECRET_HEADERS.has(name)) kept[name] = "[redacted]";
    // Header values are server text: a server may echo the Authorization header into WWW-Authenticate or Location.
    else if (KEPT_HEADERS.has(name)) kept[name] = serverText(Array.isArray(value) ? value.join(", ") : value);
  }
  return kept;
}

/**
 * Every header kept, secrets masked: for full recordings (`lmcert record`), where selectHeaders would drop the
 * headers a replay must send back. Same rules as evidence: secret headers blanked, tokens masked in the rest.
 */
export function redactHeaders(headers: Readonly<Record<string, string>>, secrets: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    out[name] = SECRET_HEADERS.has(name) ? "[redacted]" : redactSecrets(value, secrets);
  }
  return out;
}

/** The start of a body, with every secret redacted (the run's tokens, plus `extraSecrets`) and its size capped. */
export function excerpt(text: string | null, secrets: readonly string[] = []): string | null {
  if (text === null) return null;
  return serverText(text, EXCERPT_CHARS, secrets);
}

/** URLs can carry credentials (`http://user:pass@host`); evidence never keeps them. */
export const redactUrl = memoizeByString((url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = "redacted";
      parsed.password = "";
    }
    return parsed.toString();
  } catch {
    return url;
  }
});

export function makeEvidence(fields: Partial<Evidence> & Pick<Evidence, "method" | "url">): Evidence {
  return {
    status: null,
    durationMs: 0,
    ...fields,
    // Every field that can carry server text goes through the choke point here, whoever built the evidence.
    url: serverText(redactUrl(fields.url), ERROR_CHARS),
    headers: safeHeaders(fields.headers),
    bodyExcerpt: fields.bodyExcerpt === undefined ? null : serverTextOrNull(fields.bodyExcerpt, EXCERPT_CHARS),
    error: fields.error === undefined ? null : serverTextOrNull(fields.error, ERROR_CHARS),
  };
}

/**
 * makeEvidence for the evidence of a check record. A check often hands on evidence another check holds too (every
 * check built on discovery cites its readings), so the same object arrives many times per host: its safe copy is
 * made once, and made again only if a token was registered since (a new token must be redacted too). A copy of
 * the remembered answer is returned, so no two records share an object.
 */
export function recordEvidence(evidence: Evidence): Evidence {
  const version = knownSecretsVersion();
  let made = recordedEvidence.get(evidence);
  if (made === undefined || made.version !== version) {
    made = { version, evidence: makeEvidence(evidence) };
    recordedEvidence.set(evidence, made);
  }
  return { ...made.evidence, headers: { ...made.evidence.headers } };
}

const recordedEvidence = new WeakMap<Evidence, { readonly version: number; readonly evidence: Evidence }>();

/**
 * Header names and values through the choke point. A loop, not Object.fromEntries over mapped entries: it runs
 * twice for every exchange (client, then check record). A header named "__proto__" stays a plain member.
 */
function safeHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const safe: Record<string, string> = {};
  if (headers === undefined) return safe;
  for (const name of Object.keys(headers)) setMember(safe, serverText(name, 128), serverText(headers[name] as string));
  return safe;
}
