/** @module Reads a file the user named (standard, inventory, key, certificate, recording); a missing one says "no such file: <path>", never a raw ENOENT. */
import { readFileSync } from "node:fs";
import { UsageError } from "./errors.ts";
import { describeReadError } from "./input-errors.ts";

export function readUserFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new UsageError(`${what}: ${describeReadError(path, cause)}`, { cause });
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
