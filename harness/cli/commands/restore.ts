/** @module `lmcert restore <journal>`: finishes a restore that a killed run (kill -9, power loss) left undone. */
import { RestoreFlags } from "../../../contracts/cli.ts";
import { UsageError } from "../../errors.ts";
import { readJournal } from "../../lifecycle/journal.ts";
import { restoreFromJournal } from "../../lifecycle/journal-restore.ts";
import { resolveServerKey } from "../../net/server-identity.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import { serverText } from "../../server-text.ts";
import { tokenFromEnv } from "../token.ts";
import type { CommandIo } from "../io.ts";

export const RESTORE_HELP = `Usage: lmcert restore <journal> [--token-env VAR] [--timeout duration] [--forget-pending]

Put a host back to the loaded models recorded in a restore journal (written by \`certify --allow-mutations\`
before every change). Use it when a run was killed before it could restore. Unloads what lmcert loaded and
reloads what it unloaded, with the same context length. A load that was still in flight when the run died is
waited for (until the time the journal records, from the standard's lifecycle.loadTimeoutSeconds) and unloaded
once it lands; only then is the journal marked restored. If it has not landed by then, it may still land: the
restore is UNCONFIRMED (exit 2) and the journal stays unfinished; run restore again later. It takes the same
per-server lock as a certify run.

Options:
  --token-env <VAR>   environment variable holding the API token (default: the one the journal names)
  --timeout <duration>  per-request timeout, including loads: 120000 (ms), 2m (default 2m); a bare number
                      below 100 is refused (5 would be 5 ms: write 5s)
  --forget-pending    you checked the host (\`lms ps\`, the server log): a load the journal calls pending will
                      never land, so the journal may be closed without it

The journal's status becomes \`restored\` or \`failed\` (with a note saying why).

Exit codes: 0 restored, 2 restore failed or bad input.`;

export async function restoreCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("restore", argv, { "token-env": { type: "string" }, timeout: { type: "string" }, "forget-pending": { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(`lmcert restore: expected exactly one <journal>\n\n${RESTORE_HELP}`);
  const flags = validateFlags("restore", RestoreFlags, { journal: positionals[0], tokenEnv: values["token-env"], timeoutMs: values.timeout, forgetPending: values["forget-pending"] ?? false });
  const journal = readJournal(flags.journal);
  const token = tokenFromEnv(flags.tokenEnv ?? journal.tokenEnv ?? undefined);
  // The per-server lock of a DNS name is its address's: resolve it before the restore takes the lock.
  await resolveServerKey(journal.host.url);
  const result = await restoreFromJournal(flags.journal, journal, {
    token,
    timeoutMs: flags.timeoutMs,
    forgetPending: flags.forgetPending,
    onWait: (message) => io.stderr.write(`${journal.host.name} (${journal.host.url}): ${serverText(message, 4096)}\n`),
  });
  // The details name instance ids the host chose: server text, redacted and capped like everything printed.
  for (const note of result.notes) io.stderr.write(`note: ${serverText(note, 4096)}\n`);
  io.stderr.write(`${journal.host.name} (${journal.host.url}): ${serverText(result.detail, 4096)}\n`);
  return result.ok ? 0 : 2;
}
