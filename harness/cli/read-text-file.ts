/** @module Reads a file the user named on the command line; a missing one is a usage error naming it. */
import { readFileSync } from "node:fs";
import { UsageError } from "../errors.ts";

export function readUserFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new UsageError(`Cannot read ${what} ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
}

export function readUserJson(path: string, what: string): unknown {
  const text = readUserFile(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new UsageError(`${what} ${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
}
