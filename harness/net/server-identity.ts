/**
 * @module Which server a URL names. Two inventory entries, or two lmcert processes, that name one server must never
 * change it at the same time (issue 15.5): `http://HOST:1234/`, `http://host:1234` are the same URL once
 * normalised, and `localhost`, `127.0.0.1` and `[::1]` are aliases of this machine.
 */

/** A path prefix, as a reverse proxy may serve one LM Studio per prefix; `/` and a trailing slash are nothing. */
function prefix(parsed: URL): string {
  return parsed.pathname.replace(/\/+$/, "");
}

/**
 * Scheme, lower-case host, explicit port, and any path prefix without its trailing slash:
 * `HTTP://Mac-Studio.local:1234/` → `http://mac-studio.local:1234`.
 */
export function normalisedOrigin(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return `${parsed.protocol}//${parsed.hostname.toLowerCase()}:${port}${prefix(parsed)}`;
}

/** Names that reach this machine's loopback interface, whatever the spelling. */
const THIS_MACHINE = new Set(["localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0", "[::]"]);

/**
 * One key per server: aliases of this machine share `loopback`. The scheme is left out, since http and https on one
 * port cannot be two servers. Used for the inventory's alias rule, the per-host lock and open-journal lookup.
 */
export function serverKey(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname.toLowerCase();
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return `${THIS_MACHINE.has(host) ? "loopback" : host}:${port}${prefix(parsed)}`;
}

/** `loopback:1234` → `loopback_1234`: safe as a file name. */
export function serverKeySlug(url: string): string {
  return serverKey(url).replace(/[^A-Za-z0-9._-]/g, "_");
}
