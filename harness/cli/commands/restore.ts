/** @module `lmcert restore <journal>`: finishes a restore that a killed run (kill -9, power loss) left undone. */
import { RestoreFlags } from "../../../contracts/cli.ts";
import { UsageError } from "../../errors.ts";
import { HttpClient } from "../../http/client.ts";
import { discover } from "../../discovery.ts";
import { readJournal, reopenJournal } from "../../lifecycle/journal.ts";
import { pickDriver } from "../../lifecycle/pick-driver.ts";
import { restoreSnapshot } from "../../lifecycle/restore.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import { tokenFromEnv } from "../token.ts";
import type { CommandIo } from "../io.ts";

export const RESTORE_HELP = `Usage: lmcert restore <journal> [--token-env VAR] [--timeout ms]

Put a host back to the loaded models recorded in a restore journal (written by \`certify --allow-mutations\`
before every change). Use it when a run was killed before it could restore. Unloads what lmcert loaded and
reloads what it unloaded, with the same context length.

Options:
  --token-env <VAR>   environment variable holding the API token (default: the one the journal names)
  --timeout <duration>  per-request timeout, including loads: 120000 (ms), 2m (default 2m)

Exit codes: 0 restored, 2 restore failed or bad input.`;

export async function restoreCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("restore", argv, { "token-env": { type: "string" }, timeout: { type: "string" } });
  if (positionals.length !== 1) throw new UsageError(`lmcert restore: expected exactly one <journal>\n\n${RESTORE_HELP}`);
  const flags = validateFlags("restore", RestoreFlags, { journal: positionals[0], tokenEnv: values["token-env"], timeoutMs: values.timeout });
  const journal = readJournal(flags.journal);
  const token = tokenFromEnv(flags.tokenEnv ?? journal.tokenEnv ?? undefined);
  const http = new HttpClient({ token, timeoutMs: flags.timeoutMs });
  try {
    const discovery = await discover(http, journal.host.url, { sdkTimeoutMs: 10_000 });
    const driver = await pickDriver({ discovery, http, loadTimeoutMs: flags.timeoutMs, sdkTimeoutMs: 10_000 });
    if (driver.name !== journal.driver) io.stderr.write(`note: the journal used ${journal.driver}; restoring with ${driver.name}\n`);
    const outcome = await restoreSnapshot(driver, journal.snapshot);
    await driver.close();
    reopenJournal(flags.journal, journal).close(outcome.ok ? "restored" : "failed");
    io.stderr.write(`${journal.host.name} (${journal.host.url}): ${outcome.detail}\n`);
    return outcome.ok ? 0 : 2;
  } finally {
    await http.close();
  }
}
