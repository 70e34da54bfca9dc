/** @module Turns zod issues into messages that name the file and the field, for every kind of user input. */
import type { z } from "zod";

export function describeIssues(where: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(top level)";
    return `  - ${field}: ${issue.message}`;
  });
  return `${where} is invalid:\n${lines.join("\n")}`;
}
