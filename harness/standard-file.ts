/** @module Loads a standard file (YAML or JSON) and validates it; the built-in default ships with the package. */
import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { Standard } from "../contracts/standard.ts";
import { UsageError } from "./errors.ts";
import { describeIssues } from "./input-errors.ts";

/** `listing: loaded-only` by default: the cluster reads /v1/models as "loaded", and nothing loads behind its back. */
export const DEFAULT_STANDARD: Standard = Standard.parse({ standard: "cluster-standard", version: 1 });

export function loadStandard(path: string | undefined): Standard {
  if (path === undefined) return DEFAULT_STANDARD;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new UsageError(`Cannot read standard file ${JSON.stringify(path)}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  return parseStandard(text, path);
}

export function parseStandard(text: string, where: string): Standard {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, logLevel: "error" });
  } catch (cause) {
    const at = cause instanceof YAMLParseError && cause.linePos ? ` (line ${cause.linePos[0].line})` : "";
    throw new UsageError(`Standard file ${where} is not valid YAML${at}: ${(cause as Error).message.split("\n")[0]}`, { cause });
  }
  const parsed = Standard.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeIssues(`Standard file ${where}`, parsed.error));
  return parsed.data;
}
