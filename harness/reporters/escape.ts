/** @module Escaping for every output format: server-supplied text is data, never markup. */
import { terminalSafe } from "./terminal-text.ts";

/** XML text and attribute values; control characters XML 1.0 forbids are dropped as \xNN text. */
export function xml(text: string): string {
  return terminalSafe(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export const html = xml;

/** JSON inside a <script> element: `<` escaped so `</script>` or `<!--` in data cannot end it. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Markdown inline text: no tables broken by pipes, no injected links, emphasis, HTML or code spans. */
export function markdown(text: string): string {
  return terminalSafe(text)
    .replace(/\r?\n/g, " ")
    .replace(/([\\`*_{}[\]()#+!|~>])/g, "\\$1")
    .replace(/</g, "&lt;");
}

/**
 * Markdown text in which `code spans` stay code spans: the text outside them is escaped as above; inside them
 * nothing is escaped (Markdown shows code literally, so `lms load <model>` must not become `&lt;model\>`).
 * Splitting on backticks means a span can never be closed early; newlines inside become spaces.
 */
export function markdownWithCode(text: string): string {
  const parts = terminalSafe(text).replace(/\r?\n/g, " ").split("`");
  // An odd number of backticks leaves the last part unpaired: it is escaped as plain text.
  const paired = parts.length % 2 === 1 ? parts.length : parts.length - 1;
  return parts.map((part, i) => (i % 2 === 1 && i < paired ? `\`${part}\`` : markdown(i >= paired ? `\`${part}` : part))).join("");
}

/** Prometheus label values: backslash, double quote and newline escaped (exposition format). */
export function promLabel(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
