/** @module What a browser accepts in CORS responses (Fetch standard), as pure functions over response headers. */

/** The origins a cluster UI realistically runs on, including the opaque `null` origin (sandboxed iframes, file://). */
export const PROBE_ORIGINS = ["http://example.test", "https://app.example.test:8443", "http://192.168.1.50:3000", "null"] as const;

export const REQUESTED_METHOD = "POST";
export const REQUESTED_HEADERS = ["content-type", "authorization"] as const;

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((v) => v.trim().toLowerCase()).filter(Boolean);
}

/** Problems with Access-Control-Allow-Origin for `origin`; empty means a browser accepts it. */
export function originProblems(headers: Readonly<Record<string, string>>, origin: string): string[] {
  const allow = headers["access-control-allow-origin"];
  if (allow === undefined) return ["no Access-Control-Allow-Origin header"];
  if (allow === "*") return [];
  if (allow !== origin) return [`Access-Control-Allow-Origin is "${allow}", not "*" or "${origin}"`];
  // An echoed origin without `Vary: Origin` lets a shared cache serve one site's grant to another.
  return list(headers["vary"]).includes("origin") || list(headers["vary"]).includes("*")
    ? []
    : [`Access-Control-Allow-Origin echoes "${origin}" without "Vary: Origin"`];
}

/** Problems with a preflight answer; empty means the browser would go on to send the real request. */
export function preflightProblems(status: number, headers: Readonly<Record<string, string>>, origin: string): string[] {
  const problems = originProblems(headers, origin);
  if (status < 200 || status > 299) problems.push(`preflight answered HTTP ${status}; browsers need a 2xx`);
  const methods = list(headers["access-control-allow-methods"]);
  if (!methods.includes("*") && !methods.includes(REQUESTED_METHOD.toLowerCase())) {
    problems.push(`Access-Control-Allow-Methods "${headers["access-control-allow-methods"] ?? ""}" does not cover ${REQUESTED_METHOD}`);
  }
  const allowed = list(headers["access-control-allow-headers"]);
  // Per the Fetch standard a `*` wildcard never covers Authorization; it has to be named.
  const missing = REQUESTED_HEADERS.filter((h) => !allowed.includes(h) && !(allowed.includes("*") && h !== "authorization"));
  if (missing.length > 0) {
    problems.push(`Access-Control-Allow-Headers "${headers["access-control-allow-headers"] ?? ""}" does not cover ${missing.join(", ")}`);
  }
  return problems;
}
