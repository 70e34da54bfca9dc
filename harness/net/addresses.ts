/** @module Address facts: what counts as loopback, and this machine's non-loopback interface addresses. */
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";

/** 127.0.0.0/8, ::1, ::ffff:127.x and the name localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "::1") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host.startsWith("::ffff:127.");
}

export function isWildcardAddress(address: string): boolean {
  return address === "0.0.0.0" || address === "::" || address === "*" || address === "[::]";
}

/** Addresses other machines could use to reach this one; link-local IPv6 needs a scope and is left out. */
export function nonLoopbackInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && !(a.family === "IPv6" && a.address.toLowerCase().startsWith("fe80")))
    .map((a) => a.address);
}

/** `http://host:port` for an address, bracketing IPv6. */
export function urlFor(address: string, port: number): string {
  return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
}

export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}
