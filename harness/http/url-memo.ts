/**
 * @module Memoised URL work. Each request parses its URL several times (joined from the base URL, split into
 * origin and path for undici, redacted for its evidence, again for the check record), and a host asks the same
 * ~10 URLs over and over: a fleet spent ~1 % of its CPU in `new URL`. Only pure functions of one string are
 * memoised, so a cached answer is exactly what a fresh call would give; a call that throws is not cached.
 */

/** Entries kept before the memo starts over: ~10 URLs per host, so a fleet of ~400 hosts fits without a reset. */
const MAX_ENTRIES = 4096;

/** `fn` with its answers remembered by argument; when full, the memo is emptied and starts over (no LRU needed). */
export function memoizeByString<T>(fn: (text: string) => T): (text: string) => T {
  const answers = new Map<string, T>();
  return (text) => {
    let answer = answers.get(text);
    if (answer === undefined && !answers.has(text)) {
      answer = fn(text);
      if (answers.size >= MAX_ENTRIES) answers.clear();
      answers.set(text, answer);
    }
    return answer as T;
  };
}
