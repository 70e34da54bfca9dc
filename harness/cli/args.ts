/** @module Flag parsing with node:util, strict: an unknown flag or a missing value is a usage error (exit 2). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { z } from "zod";
import { UsageError } from "../errors.ts";
import { describeIssues } from "../input-errors.ts";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs<const T extends OptionSpec>(command: string, argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true as const });
  } catch (cause) {
    throw new UsageError(`lmcert ${command}: ${(cause as Error).message.replace(/\. To specify a positional.*$/s, "")}\nRun \`lmcert ${command} --help\` for usage.`, { cause });
  }
}

/** Validates parsed flags with the contract's zod schema; the message names the flag. */
export function validateFlags<T extends z.ZodType>(command: string, schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeIssues(`lmcert ${command}: the command line`, parsed.error).replace(/ {2}- (\w+):/g, "  - --$1:"));
  return parsed.data;
}

/** `--only a,b --only c` → [a, b, c]. */
export function splitList(values: string | string[] | boolean | undefined): string[] {
  const list = Array.isArray(values) ? values : typeof values === "string" ? [values] : [];
  return list.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}
