/** @module Polls until a condition holds or a deadline passes, backing off; never a fixed sleep. */

export interface PollResult<T> {
  readonly ok: boolean;
  /** The last value seen, whether or not it satisfied the condition. */
  readonly last: T | undefined;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs: number; signal?: AbortSignal; firstDelayMs?: number; maxDelayMs?: number },
): Promise<PollResult<T>> {
  const started = performance.now();
  let delay = options.firstDelayMs ?? 20;
  let attempts = 0;
  let last: T | undefined;
  for (;;) {
    attempts += 1;
    last = await read();
    const elapsedMs = performance.now() - started;
    if (done(last)) return { ok: true, last, attempts, elapsedMs };
    if (elapsedMs + delay > options.timeoutMs || options.signal?.aborted) return { ok: false, last, attempts, elapsedMs };
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 1.6, options.maxDelayMs ?? 500);
  }
}
