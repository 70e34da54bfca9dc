/** @module Turns zod issues into messages that name the file and the field, for every kind of user input. */
import type { z } from "zod";

export function describeIssues(where: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(top level)";
    return `  - ${field}: ${issue.message}`;
  });
  return `${where} is invalid:\n${lines.join("\n")}`;
}

/** What went wrong reading `path`, in words: `no such file: team.yaml`. */
export function describeReadError(path: string, cause: unknown): string {
  switch ((cause as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return `no such file: ${path}`;
    case "EISDIR":
      return `${path} is a folder, not a file`;
    case "EACCES":
    case "EPERM":
      return `permission denied: ${path}`;
    default:
      return `cannot read ${path}: ${(cause as Error).message ?? String(cause)}`;
  }
}
