/** @module What a command may touch: its streams and an abort signal (Ctrl-C). Tests pass their own. */

export interface WritableText {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CommandIo {
  readonly stdout: WritableText;
  readonly stderr: WritableText;
  readonly signal: AbortSignal;
}
