/** @module The URL a user gave, reduced to the server root lmcert asks; a pasted `/v1` base URL is said out loud. */
import { parseHostUrl } from "../../contracts/host-url.ts";
import { UsageError } from "../errors.ts";

export function resolveHostUrl(input: string, where: string): { url: string; note: string | null } {
  const result = parseHostUrl(input);
  if (!result.ok) throw new UsageError(`${where}: ${result.message}`);
  return { url: result.url, note: result.note };
}
