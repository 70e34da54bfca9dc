/** @module `lmcert diff <old> <new>`: after an LM Studio upgrade, what changed. Exit 1 on any regression. */
import { UsageError } from "../../errors.ts";
import { comparableInput, diffHosts, mismatchRefusal, rehearsalNote, renderDiff } from "../../diff/compare.ts";
import { terminalSafe } from "../../reporters/terminal-text.ts";
import { parseCommandArgs } from "../args.ts";
import { readUserJson } from "../../read-user-file.ts";
import type { CommandIo } from "../io.ts";

export const DIFF_HELP = `Usage: lmcert diff <old.json> <new.json> [--json] [--allow-mismatch] [--allow-interrupted]

Compare two certificates (one host) or two fleet summaries (fleet-summary.json): LM Studio version changes, check
status changes (regressions first), listing behaviour changes (e.g. loaded-only → all-available) and schema drift
(fields that appeared in or disappeared from the observed payloads).

Changes are judged by the reporters' severity model: a regression is a required check that got worse (passed →
failed/error/inconclusive/skipped) or a verdict that is no longer certified; an optional check that newly does not
pass is a "new warning" (exit 0); a check one run did not select (--only/--skip, --allow-mutations given or not)
is "not compared".

Refuses (exit 2) to compare:
  - a fleet summary with a certificate, or certificates of two different hosts (--allow-mismatch to do it anyway).
    An upgrade rehearsal (a certificate from \`certify --container\`) against a fleet host's certificate is
    compared without it: the output starts "comparing rehearsal <image> with <host>";
  - an interrupted run, whose partial results would show regressions that never happened (--allow-interrupted
    shows its changes flagged "unconfirmed", never counted as regressions).
Exit codes: 0 no regression, 1 at least one regression, 2 usage error or refused inputs.`;

export async function diffCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("diff", argv, {
    json: { type: "boolean" },
    "allow-mismatch": { type: "boolean" },
    "allow-interrupted": { type: "boolean" },
  });
  const [oldPath, newPath, ...extra] = positionals;
  if (!oldPath || !newPath || extra.length > 0) throw new UsageError(`lmcert diff: expected <old.json> <new.json>\n\n${DIFF_HELP}`);
  const before = comparableInput(readUserJson(oldPath, "file"), oldPath);
  const after = comparableInput(readUserJson(newPath, "file"), newPath);
  const refusal = mismatchRefusal(before, after, { allowMismatch: values["allow-mismatch"] ?? false, allowInterrupted: values["allow-interrupted"] ?? false });
  if (refusal) throw new UsageError(`lmcert diff: ${refusal}`);
  const report = diffHosts(before.hosts, after.hosts);
  const comparing = rehearsalNote(before, after);
  if (values.json) io.stdout.write(`${JSON.stringify(comparing ? { comparing, ...report } : report, null, 2)}\n`);
  else io.stdout.write(terminalSafe(`${comparing ? `${comparing}\n` : ""}${renderDiff(report)}`));
  return report.regressions > 0 ? 1 : 0;
}
