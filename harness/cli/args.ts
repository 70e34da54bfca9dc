/** @module Flag parsing with node:util, strict: an unknown flag or a missing value is a usage error (exit 2). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { z } from "zod";
import { UsageError } from "../errors.ts";
import { didYouMean } from "./did-you-mean.ts";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs<const T extends OptionSpec>(command: string, argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true as const });
  } catch (cause) {
    const ambiguous = ambiguousValue(command, argv, cause);
    if (ambiguous) throw new UsageError(ambiguous, { cause });
    const message = (cause as Error).message.replace(/\. To specify a positional.*$/s, "").replace(/\.$/, "");
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const hint = unknown ? didYouMean(unknown.split("=")[0] ?? unknown, [...Object.keys(options).map((o) => `--${o}`), "--help"]) : "";
    throw new UsageError(`lmcert ${command}: ${message}.${hint}\nRun \`lmcert ${command} --help\` for usage.`, { cause });
  }
}

/**
 * Node's parseArgs refuses `--timeout -1s` with "argument is ambiguous … '--timeout=-XYZ'": say instead which flag,
 * which value, and what to type.
 */
function ambiguousValue(command: string, argv: readonly string[], cause: unknown): string | null {
  const flag = /Option '(-{1,2}[^' ]+)[^']*' argument is ambiguous/.exec((cause as Error).message)?.[1];
  if (flag === undefined) return null;
  const at = argv.findIndex((a) => a === flag || (flag.startsWith("--") ? false : a.startsWith(flag)));
  const value = at >= 0 ? argv[at + 1] : undefined;
  if (value === undefined) return null;
  const advice = /^-\d/.test(value)
    ? ` A negative value is not accepted: give a positive one, e.g. ${flag} ${value.slice(1)}.`
    : ` Give ${flag} its value, or, if the value really starts with "-", write ${flag}=${value}.`;
  return `lmcert ${command}: ${flag}: "${value}" starts with "-", so it was read as a flag, not as the value of ${flag}.${advice}\nRun \`lmcert ${command} --help\` for usage.`;
}

/**
 * What the user typed for a contract field: `timeoutMs` → `--timeout`, `tokenEnv` → `--token-env`, a positional
 * → `<url>`. Errors name the flag, never the internal field (issue 12 §2).
 */
export function flagNameOf(field: string, positionals: readonly string[] = []): string {
  if (positionals.includes(field)) return `<${field}>`;
  return `--${field.replace(/Ms$/, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Validates parsed flags with the contract's zod schema; the message names the flag as typed. */
export function validateFlags<T extends z.ZodType>(command: string, schema: T, raw: unknown, positionals: readonly string[] = ["url", "inventory", "certificate", "journal"]): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const field = issue.path.length > 0 ? flagNameOf(String(issue.path[0]), positionals) : "(the command line)";
      return `  - ${field}: ${issue.message}`;
    });
    throw new UsageError(`lmcert ${command}: the command line is invalid:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** `--only a,b --only c` → [a, b, c]. */
export function splitList(values: string | string[] | boolean | undefined): string[] {
  const list = Array.isArray(values) ? values : typeof values === "string" ? [values] : [];
  return list.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}
