/**
 * @module The one choke point for text a server sent: every string that came from a host (bodies, header values,
 * ids, error messages, SDK errors) passes through here before it is stored in a certificate or printed. It
 * redacts API tokens and caps sizes, so a hostile or buggy server can neither leak the token (by echoing the
 * Authorization header) nor blow up a report (a 3 MB model id repeated thousands of times).
 */
import { setMember } from "./plain-member.ts";

/** Longest server-supplied string kept, in characters, marker included. */
export const MAX_SERVER_TEXT = 512;
/** Most items of one server-supplied list kept (ids per check); the rest are counted, not listed. */
export const MAX_LISTED_ITEMS = 50;
/** Nesting kept in `observed` values; deeper structures are summarised. */
const MAX_DEPTH = 8;

export const REDACTED = "[redacted]";

/**
 * LM Studio tokens are `sk-lm-` + 8 characters + `:` + 20 characters (opencode-lmstudio#41; lmstudio-js
 * lms-shared-types/src/lmstudioAPIToken.ts). Matched generously: any length, either half, the colon raw or
 * percent-encoded (a token echoed into a `Location` URL).
 */
const LM_TOKEN_SHAPE = /sk-lm-(?!\[redacted\])[A-Za-z0-9_\-.~+/=]*(?:(?::|%3A)[A-Za-z0-9_\-.~+/=]*)?/gi;
/** `Bearer <anything>`, also URL-encoded (`Bearer%20…`), as a server echoing the Authorization header shows it. */
const BEARER = /\b(Bearer)(\s+|%20|\+)[^\s"',;&]+/gi;

/**
 * Every token this process was given. Tokens are registered where lmcert reads them (--token-env, inventories,
 * certifyHost), so text from any host is redacted of every token of the run, whichever path it took.
 */
const knownSecrets = new Set<string>();

/** Registers a token (and the pieces LM Studio's SDK sends separately) for redaction everywhere. */
export function rememberSecret(secret: string | undefined | null): void {
  if (!secret) return;
  const before = knownSecrets.size;
  for (const piece of secretPieces(secret)) knownSecrets.add(piece);
  if (knownSecrets.size === before) return;
  knownSecretsLongestFirst = null;
  secretsVersion++;
}

let secretsVersion = 0;

/** Changes whenever a token is registered: text made safe before then may hold it, and must be made safe again. */
export function knownSecretsVersion(): number {
  return secretsVersion;
}

/** knownSecrets, longest first (a token before its halves), sorted once per change instead of once per string. */
let knownSecretsLongestFirst: string[] | null = null;

function secretsToRedact(extraSecrets: readonly string[]): readonly string[] {
  if (extraSecrets.length > 0) return [...knownSecrets, ...extraSecrets.flatMap(secretPieces)].sort((a, b) => b.length - a.length);
  knownSecretsLongestFirst ??= [...knownSecrets].sort((a, b) => b.length - a.length);
  return knownSecretsLongestFirst;
}

/** Either credential shape can only be present where one of these is: most server text has neither. */
const CREDENTIAL_HINT = /bearer|sk-lm-/i;

/**
 * The token, its URL-encoded form, and its two halves: the SDK sends the 8-character identifier and the
 * 20-character passkey as separate fields (lmstudio-js LMStudioClient.ts), so a server can echo either alone.
 * Very short pieces are not registered: redacting every "a" would destroy the text and protect nothing.
 */
function secretPieces(secret: string): string[] {
  const pieces = [secret, encodeURIComponent(secret)];
  const match = /^sk-lm-([^:]+):(.+)$/.exec(secret);
  if (match) pieces.push(match[1] as string, match[2] as string);
  return pieces.filter((p) => p.length >= 6);
}

/** Removes known tokens and anything shaped like a bearer credential or an LM Studio token. */
export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secretsToRedact(extraSecrets)) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  if (!CREDENTIAL_HINT.test(out)) return out;
  return out.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`).replace(LM_TOKEN_SHAPE, `sk-lm-${REDACTED}`);
}

/**
 * Caps `text` at `max` characters in total, marker included, so capping twice changes nothing:
 * `"abc…xyz"` becomes `"abc… (12345 more)"`. `length` is the length of the text `text` was cut from, if it was.
 */
export function capText(text: string, max = MAX_SERVER_TEXT, length = text.length): string {
  if (length <= max) return text;
  let keep = Math.max(0, max - ` … (${length} more)`.length);
  // Never split a surrogate pair: half an emoji is not valid text for a report.
  if (keep > 0 && /[\uD800-\uDBFF]/.test(text[keep - 1] as string)) keep -= 1;
  return `${text.slice(0, keep)}… (${length - keep} more)`;
}

/** Text read past the cap before redacting: longer than any token, so a token across the cut is still found whole. */
const REDACTION_MARGIN = 1024;

/**
 * Redact, then cap: the order matters, or a cap could cut a token in half and leave its tail readable. Only the
 * start that can survive the cap (plus a margin) is scanned, so an 8 MB body costs no more than a short one.
 */
export function serverText(text: string, max = MAX_SERVER_TEXT, extraSecrets: readonly string[] = []): string {
  if (text.length <= max + REDACTION_MARGIN) return capText(redactSecrets(text, extraSecrets), max);
  const head = redactSecrets(text.slice(0, max + REDACTION_MARGIN), extraSecrets);
  return capText(head, max, head.length + (text.length - max - REDACTION_MARGIN));
}

/** serverText for values that may be absent. */
export function serverTextOrNull(text: string | null | undefined, max = MAX_SERVER_TEXT): string | null {
  return text === null || text === undefined ? null : serverText(text, max);
}

/**
 * A list of server-supplied strings, at most MAX_LISTED_ITEMS of them, each made safe; the rest is counted:
 * `["a", "b", …, "… and 9950 more"]`.
 */
export function serverList(items: readonly string[], maxItems = MAX_LISTED_ITEMS): string[] {
  const kept = items.slice(0, maxItems).map((item) => serverText(item));
  return items.length > maxItems ? [...kept, `… and ${items.length - maxItems} more`] : kept;
}

/**
 * Any JSON-like value (a check's `observed`) made safe for storage: every string redacted and capped, every array
 * cut to MAX_LISTED_ITEMS, keys capped, deep nesting summarised. Numbers, booleans and null pass unchanged.
 */
export function serverValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return serverText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "… (nested too deep to keep)";
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_LISTED_ITEMS).map((item) => serverValue(item, depth + 1));
    return value.length > MAX_LISTED_ITEMS ? [...kept, `… and ${value.length - MAX_LISTED_ITEMS} more`] : kept;
  }
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries.slice(0, MAX_LISTED_ITEMS)) {
    const safeKey = serverText(key, 128);
    const safeItem = serverValue(item, depth + 1);
    setMember(out, safeKey, safeItem);
  }
  if (entries.length > MAX_LISTED_ITEMS) out["…"] = `and ${entries.length - MAX_LISTED_ITEMS} more keys`;
  return out;
}
