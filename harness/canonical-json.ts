/** @module Canonical JSON (sorted keys, no whitespace): the exact bytes digests and signatures cover. */
import { createHash } from "node:crypto";
import { setMember } from "./plain-member.ts";

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    // Keys sorted by UTF-16 code units (what `<` compares, and Array#sort's default order); members that are
    // undefined left out. One pass with no [key, value] pairs: a fleet digests every certificate.
    const record = value as Record<string, unknown>;
    // A plain object, not Object.create(null): V8 makes prototype-less objects in dictionary mode, and
    // JSON.stringify walks those ~30 % slower. Same bytes: a "__proto__" key stays a plain member (setMember).
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item !== undefined) setMember(sorted, key, sortKeys(item));
    }
    return sorted;
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * What JSON.parse hides in a JSON text: a key that appears twice in one object (the last silently wins, so a
 * certificate could show one value to a reader and digest another) and a `__proto__` member (JSON.parse keeps it
 * as an own property, but most code that copies objects turns it into a prototype or drops it). Each problem names
 * its JSON path. Syntax errors are left to JSON.parse, which says them better; scanning stops at the first.
 */
export function jsonMemberProblems(text: string): string[] {
  const problems: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const fail = () => {
    throw new SyntaxError("not JSON");
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = string();
        const at = `${path}.${key}`;
        if (key === "__proto__") problems.push(`forbidden member "__proto__" at ${path}`);
        else if (seen.has(key)) problems.push(`duplicate key "${key}" at ${path} (a reader and the digest could see different values)`);
        seen.add(key);
        ws();
        if (text[i++] !== ":") fail();
        value(at);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    }
    if (c === '"') return void string();
    // A number or a literal: everything up to the next delimiter.
    const start = i;
    while (i < text.length && !",]} \t\n\r".includes(text[i] as string)) i++;
    if (i === start) fail();
  };
  try {
    value("$");
  } catch {
    // A syntax error: JSON.parse reports it.
  }
  return problems;
}

/** Own `__proto__` members anywhere in an already-parsed value, by JSON path. */
export function protoMemberPaths(value: unknown, path = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((item, n) => protoMemberPaths(item, `${path}[${n}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.keys(value).flatMap((key) =>
    key === "__proto__" ? [path] : protoMemberPaths((value as Record<string, unknown>)[key], `${path}.${key}`),
  );
}
