/** @module The <url> a user gave, reduced to the server root lmcert asks; a pasted `/v1` base URL is said out loud. */
import { parseHostUrl } from "../../contracts/host-url.ts";
import type { CommandIo } from "./io.ts";

/**
 * `http://host:1234/v1` → `http://host:1234`, with a note on stderr. Anything that does not parse is returned as
 * given, so the command's flag validation (contracts/cli.ts HostUrl) reports it, naming `<url>` and the fix.
 */
export function hostUrlArgument(input: string | undefined, io: Pick<CommandIo, "stderr">): string | undefined {
  if (input === undefined) return undefined;
  const result = parseHostUrl(input);
  if (!result.ok) return input;
  if (result.note) io.stderr.write(`note: ${result.note}\n`);
  return result.url;
}
