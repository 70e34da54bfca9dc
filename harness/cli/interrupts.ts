/**
 * @module Ctrl-C, the kubectl/docker way (issue 15.6). The first SIGINT/SIGTERM aborts the run: checks stop, and
 * the host is put back before lmcert exits. A second one abandons the restore: lmcert prints every open restore
 * journal and the exact `lmcert restore` command for it, then exits. A third exits at once. Every interrupted
 * run exits 2 (a harness problem, not a verdict).
 */
import { openJournalPaths } from "../lifecycle/journal.ts";
import type { WritableText } from "./io.ts";

export const INTERRUPTED_EXIT_CODE = 2;

/** Shell-quotes a path for a command the user will paste. */
function quoted(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}

export interface InterruptOptions {
  readonly controller: AbortController;
  readonly stderr: WritableText & { write(text: string, callback?: () => void): unknown };
  readonly exit?: (code: number) => never;
}

/** Installs the handlers; returns the function that removes them. */
export function handleInterrupts(options: InterruptOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      options.controller.abort(new Error(`interrupted (${signal})`));
      if (openJournalPaths().length > 0) options.stderr.write(`\n${signal}: stopping; putting the host back first (press Ctrl-C again to stop waiting)\n`);
      return;
    }
    if (count === 2) {
      const journals = openJournalPaths();
      const lines = journals.length === 0
        ? [`\n${signal} again: exiting now.`]
        : [
            `\n${signal} again: the restore was abandoned. The host may NOT be as lmcert found it (a load may still land).`,
            ...journals.flatMap((path) => [`  journal: ${path}`, `  put it back with: lmcert restore ${quoted(path)}`]),
          ];
      // Exit once the message is out (stderr may be an asynchronous pipe); a third signal does not wait for that.
      options.stderr.write(`${lines.join("\n")}\n`, () => exit(INTERRUPTED_EXIT_CODE));
      return;
    }
    exit(INTERRUPTED_EXIT_CODE);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
