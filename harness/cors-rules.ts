/**
 * @module What a browser accepts in CORS responses (Fetch standard, https://fetch.spec.whatwg.org/#http-cors-protocol),
 * as pure functions over response headers. The rules are no stricter than a browser (issue 11.7): what a browser
 * accepts passes, and hazards a browser does not enforce (a missing `Vary: Origin`) are warnings, never failures.
 */

/** The origins a cluster UI realistically runs on, including the opaque `null` origin (sandboxed iframes, file://). */
export const PROBE_ORIGINS = ["http://example.test", "https://app.example.test:8443", "http://192.168.1.50:3000", "null"] as const;

/** What a cluster UI sends: a JSON POST with a bearer token. Neither header is CORS-safelisted, so both must be allowed. */
export const REQUESTED_METHOD = "POST";
export const REQUESTED_HEADERS = ["content-type", "authorization"] as const;

/** Fetch standard "CORS-safelisted method": a preflight needs no Access-Control-Allow-Methods for these. */
export const CORS_SAFELISTED_METHODS = ["GET", "HEAD", "POST"] as const;

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((v) => v.trim().toLowerCase()).filter(Boolean);
}

/** Problems with Access-Control-Allow-Origin for `origin`; empty means a browser accepts it. */
export function originProblems(headers: Readonly<Record<string, string>>, origin: string): string[] {
  const allow = headers["access-control-allow-origin"];
  if (allow === undefined) return ["no Access-Control-Allow-Origin header"];
  if (allow === "*" || allow === origin) return [];
  return [`Access-Control-Allow-Origin is "${allow}", not "*" or "${origin}"`];
}

/**
 * Hazards a browser does not block: an echoed origin without `Vary: Origin` lets a shared HTTP cache serve one
 * site's grant to another. Browsers accept the response, so this is reported, never failed.
 */
export function originWarnings(headers: Readonly<Record<string, string>>, origin: string): string[] {
  const allow = headers["access-control-allow-origin"];
  if (allow === undefined || allow === "*" || allow !== origin) return [];
  const vary = list(headers["vary"]);
  return vary.includes("origin") || vary.includes("*")
    ? []
    : [`Access-Control-Allow-Origin echoes "${origin}" without "Vary: Origin": browsers accept it, but a shared cache between them and the host could serve one origin's answer to another`];
}

/** Problems with a preflight answer; empty means the browser would go on to send the real request. */
export function preflightProblems(
  status: number,
  headers: Readonly<Record<string, string>>,
  origin: string,
  method: string = REQUESTED_METHOD,
  requestedHeaders: readonly string[] = REQUESTED_HEADERS,
): string[] {
  const problems = originProblems(headers, origin);
  if (status < 200 || status > 299) problems.push(`preflight answered HTTP ${status}; browsers need a 2xx`);
  const methods = list(headers["access-control-allow-methods"]);
  const safelisted = (CORS_SAFELISTED_METHODS as readonly string[]).includes(method.toUpperCase());
  if (!safelisted && !methods.includes("*") && !methods.includes(method.toLowerCase())) {
    problems.push(`Access-Control-Allow-Methods "${headers["access-control-allow-methods"] ?? ""}" does not cover ${method}`);
  }
  const allowed = list(headers["access-control-allow-headers"]);
  // Per the Fetch standard a `*` wildcard never covers Authorization; it has to be named. A JSON content-type is not
  // CORS-safelisted, so content-type must be allowed too.
  const missing = requestedHeaders.filter((h) => !allowed.includes(h) && !(allowed.includes("*") && h !== "authorization"));
  if (missing.length > 0) {
    problems.push(`Access-Control-Allow-Headers "${headers["access-control-allow-headers"] ?? ""}" does not cover ${missing.join(", ")}`);
  }
  return problems;
}
