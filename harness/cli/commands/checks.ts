/** @module `lmcert checks`: the catalogue, no host needed. */
import { checks } from "../../../suites/index.ts";
import { DEFAULT_STANDARD, loadStandard } from "../../standard-file.ts";
import { isRequired, resolveRemedy } from "../../types.ts";
import { parseCommandArgs } from "../args.ts";
import type { CommandIo } from "../io.ts";

export const CHECKS_HELP = `Usage: lmcert checks [--json] [--standard <file>] [--allow-mutations] [--local]

List every check: id, whether it is required (under the given standard and run options), whether it mutates,
and its MUST. No host is contacted.`;

export async function checksCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs("checks", argv, {
    json: { type: "boolean" },
    standard: { type: "string" },
    "allow-mutations": { type: "boolean" },
    local: { type: "boolean" },
  });
  const standard = values.standard ? loadStandard(values.standard) : DEFAULT_STANDARD;
  const rows = checks.map((c) => ({
    id: c.id,
    title: c.title,
    concern: c.concern,
    required: isRequired(c, standard, { allowMutations: values["allow-mutations"] ?? false, local: values.local ?? false }),
    mutates: c.mutates,
    needs: c.needs ?? [],
    must: c.must,
    remedy: resolveRemedy(c.remedy, standard),
  }));
  if (values.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const row of rows) {
    const flags = [row.required ? "required" : "optional", ...(row.mutates ? ["mutates"] : [])].join(", ");
    io.stdout.write(`${row.id}  (${flags})\n    ${row.must}\n`);
  }
  return 0;
}
