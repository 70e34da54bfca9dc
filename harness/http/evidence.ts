/** @module Evidence records: what was sent and seen, trimmed, with secrets redacted before anything is stored. */
import type { Evidence } from "../../contracts/certificate.ts";

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
const EXCERPT_CHARS = 600;

export function selectHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (value === undefined) continue;
    if (SECRET_HEADERS.has(name)) kept[name] = "[redacted]";
    else if (KEPT_HEADERS.has(name)) kept[name] = Array.isArray(value) ? value.join(", ") : value;
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

/** Masks bearer tokens and LM Studio API keys (`sk-lm-…`) wherever they show up in text. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("[redacted]");
  return out.replace(/Bearer\s+[^\s"',]+/gi, "Bearer [redacted]").replace(/sk-lm-[A-Za-z0-9:_-]+/g, "sk-lm-[redacted]");
}

export function excerpt(text: string | null, secrets: readonly string[] = []): string | null {
  if (text === null) return null;
  const clipped = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}… (${text.length} chars)` : text;
  return redactSecrets(clipped, secrets);
}

/** URLs can carry credentials (`http://user:pass@host`); evidence never keeps them. */
export function redactUrl(url: string): string {
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
}

export function makeEvidence(fields: Partial<Evidence> & Pick<Evidence, "method" | "url">): Evidence {
  return {
    status: null,
    headers: {},
    bodyExcerpt: null,
    error: null,
    durationMs: 0,
    ...fields,
    url: redactUrl(fields.url),
  };
}
