/**
 * @module Which server a URL names. Two inventory entries, or two lmcert processes, that name one server must never
 * change it at the same time (issue 15.5): `http://HOST:1234/`, `http://host:1234` are the same URL once
 * normalised; every address of this machine (all of 127.0.0.0/8, `::1`, `::ffff:127.x.x.x`, `localhost`, its
 * hostname, its interfaces' addresses) is one server per port, since a server bound to 0.0.0.0 answers on all of
 * them; and a DNS name is the address it resolves to.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { hostname as osHostname, networkInterfaces } from "node:os";

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

/** The key every address of this machine shares (the label predates interface addresses; it means "this machine"). */
const THIS_MACHINE_KEY = "loopback";

/**
 * An address or name in canonical form: no brackets, lower case, no IPv6 zone, and an IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`, which WHATWG URL spells `::ffff:7f00:1`) as its IPv4 address.
 */
export function canonicalAddress(host: string): string {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase().replace(/%.*$/, "");
  const mapped = /^(?:::|(?:0{1,4}:){5})ffff:(.+)$/.exec(bare)?.[1];
  if (mapped !== undefined && isIP(bare) === 6) {
    if (isIP(mapped) === 4) return mapped;
    const groups = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(mapped);
    if (groups) {
      const hi = parseInt(groups[1] ?? "0", 16);
      const lo = parseInt(groups[2] ?? "0", 16);
      return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
    }
  }
  return bare;
}

/** Every name and address that reaches this machine, read when asked (interfaces come and go). */
function thisMachineNames(): Set<string> {
  const names = new Set(["localhost", "0.0.0.0", "::", "::1"]);
  const own = osHostname().toLowerCase();
  names.add(own);
  names.add(own.split(".")[0] ?? own);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) names.add(canonicalAddress(address.address));
  }
  return names;
}

/** Whether a host name or address (URL spelling accepted) is this machine. */
export function isThisMachine(host: string): boolean {
  const canonical = canonicalAddress(host);
  if (isIP(canonical) === 4 && canonical.startsWith("127.")) return true;
  // RFC 6761: `*.localhost` is loopback.
  if (canonical.endsWith(".localhost")) return true;
  return thisMachineNames().has(canonical);
}

/** Names resolved by resolveServerKey: name → the host part of its key. */
const resolved = new Map<string, string>();

function hostPart(host: string): string {
  const canonical = canonicalAddress(host);
  if (isThisMachine(canonical)) return THIS_MACHINE_KEY;
  return resolved.get(canonical) ?? canonical;
}

function portAndPrefix(parsed: URL): string {
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return `${port}${prefix(parsed)}`;
}

/**
 * One key per server: every address of this machine shares `loopback`. The scheme is left out, since http and https
 * on one port cannot be two servers. A DNS name is keyed by its address once resolveServerKey has looked it up in
 * this process (callers that take a lock or group hosts do that first); before that, by the name itself.
 * Used for the inventory's alias rule, the per-host lock and open-journal lookup.
 */
export function serverKey(url: string): string {
  const parsed = new URL(url);
  return `${hostPart(parsed.hostname)}:${portAndPrefix(parsed)}`;
}

export type AddressLookup = (host: string) => Promise<readonly { address: string }[]>;

const systemLookup: AddressLookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** How long a name may take to resolve before it is keyed by the name itself. */
const LOOKUP_DEADLINE_MS = 5_000;

/**
 * serverKey after resolving a DNS name (all its addresses): a name that resolves to this machine is `loopback`, any
 * other by its lowest address, so `mac-studio.lan` and the IP it resolves to take one lock. A failed or slow lookup
 * keeps the name (the run then fails to connect anyway). The answer is remembered for serverKey in this process.
 */
export async function resolveServerKey(url: string, lookup: AddressLookup = systemLookup): Promise<string> {
  const parsed = new URL(url);
  const host = canonicalAddress(parsed.hostname);
  if (isThisMachine(host) || isIP(host) !== 0 || resolved.has(host)) return serverKey(url);
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      lookup(host),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("lookup timed out")), LOOKUP_DEADLINE_MS);
        timer.unref();
      }),
    ]);
    const canonical = addresses.map((a) => canonicalAddress(a.address));
    if (canonical.length > 0) {
      resolved.set(host, canonical.some(isThisMachine) ? THIS_MACHINE_KEY : ([...canonical].sort()[0] ?? host));
    }
  } catch {
    // Keep the name: an unresolvable host has no other identity to compare.
  } finally {
    clearTimeout(timer);
  }
  return serverKey(url);
}

/** `loopback:1234` → `loopback_1234`: safe as a file name. */
export function serverKeySlug(url: string): string {
  return serverKey(url).replace(/[^A-Za-z0-9._-]/g, "_");
}
