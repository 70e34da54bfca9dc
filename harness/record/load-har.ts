/** @module Reads a HAR file the user named (`lmcert mock --replay`): a bad one is a usage error naming file and field. */
import { Har } from "../../contracts/har.ts";
import { readUserJson } from "../read-user-file.ts";
import { UsageError } from "../errors.ts";
import { describeIssues } from "../input-errors.ts";

export function loadHarFile(path: string): Har {
  const parsed = Har.safeParse(readUserJson(path, "HAR recording"));
  if (!parsed.success) throw new UsageError(describeIssues(`HAR recording ${path}`, parsed.error));
  return parsed.data;
}
