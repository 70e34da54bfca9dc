/**
 * @module The server URL as people paste it. LM Studio's server root is what lmcert asks (`/lmstudio-greeting`,
 * `/v1/models`, `/api/v1/models` all hang off it), but client configs hold the OpenAI base URL `http://host:1234/v1`,
 * and people type `localhost:1234` without a scheme. The first is accepted and reduced to the root (the caller says
 * so); the second is refused with the exact URL to use.
 */
import { z } from "zod";

/** Paths under LM Studio's root that people paste: the OpenAI base URL, the REST API bases, and what follows them. */
const API_PATH = /^\/(?:v1|api\/v0|api\/v1)(?:\/.*)?$/;

export type HostUrlResult =
  | { readonly ok: true; readonly url: string; readonly note: string | null }
  | { readonly ok: false; readonly message: string };

export function parseHostUrl(input: string): HostUrlResult {
  const text = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    // `localhost:1234` parses as a URL with the scheme "localhost:"; nobody means that.
    const suggestion = `http://${text.replace(/^\/+/, "")}`;
    return URL.canParse(suggestion)
      ? { ok: false, message: `"${input}" has no scheme: use ${suggestion.replace(/\/$/, "")}` }
      : { ok: false, message: `"${input}" is not a URL: use e.g. http://127.0.0.1:1234` };
  }
  if (!URL.canParse(text)) return { ok: false, message: `"${input}" is not a URL: use e.g. http://127.0.0.1:1234` };
  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, message: `"${input}" must be an http:// or https:// URL (LM Studio serves http://), e.g. http://${url.host || "127.0.0.1:1234"}` };
  }
  if (url.username || url.password) return { ok: false, message: `"${url.protocol}//${url.host}…" carries a user or password; pass a token with --token-env instead` };
  if (url.pathname === "/" && !url.search && !url.hash) return { ok: true, url: url.origin, note: null };
  if (API_PATH.test(url.pathname)) {
    return { ok: true, url: url.origin, note: `lmcert used ${url.origin}: ${url.pathname} is an API path under the server's root, which lmcert needs` };
  }
  // Any other path: a reverse proxy may serve LM Studio under a prefix, so keep it as given.
  return { ok: true, url: text.replace(/\/+$/, ""), note: null };
}

/** A server URL in a flag or an inventory; the message names the exact URL to use. */
export const HostUrl = z
  .string()
  .superRefine((value, ctx) => {
    const result = parseHostUrl(value);
    if (!result.ok) ctx.addIssue({ code: "custom", message: result.message });
  })
  // For editors (JSON Schema); the refinement above gives the message with the exact URL to use.
  .meta({ pattern: "^[Hh][Tt][Tt][Pp][Ss]?://", description: "LM Studio's server URL, e.g. http://10.0.0.100:1234 (an OpenAI base URL ending in /v1 is accepted and reduced to the server root)." });
