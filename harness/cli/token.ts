/** @module Reads an API token from the named environment variable; the token itself is never a flag or logged. */
import { UsageError } from "../errors.ts";
import { rememberSecret } from "../server-text.ts";

export function tokenFromEnv(variable: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (variable === undefined) return undefined;
  const value = env[variable];
  if (value === undefined || value.trim() === "") {
    throw new UsageError(`--token-env ${variable}: the environment variable ${variable} is not set (or is empty)`);
  }
  // Registered for redaction before it is ever sent: a server that echoes it back cannot get it printed.
  rememberSecret(value.trim());
  return value.trim();
}
