/**
 * @module Setting a member whose key came from outside (a server's JSON, its headers, a certificate file). Plain
 * assignment of "__proto__" would set the object's prototype instead of adding a member; defining it keeps it a
 * plain member, as JSON.parse and Object.fromEntries do. Every other key is assigned: the same plain data property,
 * and much cheaper on the hot paths that use this (every check's observed values, evidence headers, digests).
 */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
