/**
 * @module Reads a YAML file the user wrote (standard, inventory) and validates it with its zod contract. Every
 * problem names the file, the line and the column (`team.yaml:5:3: bind.adress: unknown key`), untruncated, the way
 * editors and compilers report; a misspelt key also gets "did you mean".
 */
import { LineCounter, isMap, isNode, isScalar, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { closest } from "./cli/did-you-mean.ts";
import { UsageError } from "./errors.ts";

export interface YamlFile<T> {
  readonly data: T;
  /** `file:line:col: field` for a field path, for problems found after validation (duplicates, unset env vars). */
  where(fieldPath: readonly (string | number)[]): string;
}

export function parseYamlFile<S extends z.ZodType>(text: string, path: string, what: string, schema: S): YamlFile<z.output<S>> {
  const lines = new LineCounter();
  // logLevel "error": YAML warnings (e.g. unknown tags) must not leak to the console as Node process warnings.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, logLevel: "error" });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      // prettyErrors already appends "at line L, column C:" and an excerpt; the position leads instead.
      const message = e.message.replace(/ at line \d+, column \d+:?\s*/, "\n").trimEnd();
      return `${path}${at ? `:${at.line}:${at.col}` : ""}: ${message}`;
    });
    throw new UsageError(`${what} ${path} is not valid YAML:\n${problems.join("\n")}`);
  }
  const position = (offset: number | null): string => {
    if (offset === null) return "";
    const { line, col } = lines.linePos(offset);
    return `:${line}:${col}`;
  };
  const where = (fieldPath: readonly (string | number)[]): string => {
    let node: unknown = doc.getIn(fieldPath, true);
    for (let cut = fieldPath.length; (!isNode(node) || !node.range) && cut > 0; cut--) node = doc.getIn(fieldPath.slice(0, cut - 1), true);
    const offset = isNode(node) && node.range ? node.range[0] : null;
    return `${path}${position(offset)}: ${fieldName(fieldPath)}`;
  };
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (cause) {
    // e.g. an alias to an anchor that does not exist
    throw new UsageError(`${what} ${path} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      const at = issue.path as (string | number)[];
      if (issue.code === "unrecognized_keys") {
        const known = knownKeys(schema, at);
        return issue.keys.map((key) => {
          const hint = closest(key, known);
          return `  - ${path}${position(keyOffset(doc, at, key))}: ${fieldName([...at, key])}: unknown key${hint ? `; did you mean ${hint}?` : ""}${known.length > 0 ? ` (allowed: ${known.join(", ")})` : ""}`;
        });
      }
      return [`  - ${where(at)}: ${issue.message}`];
    });
    throw new UsageError(`${what} ${path} is invalid:\n${problems.join("\n")}`);
  }
  return { data: parsed.data, where };
}

/** `servers.1.url` → `servers[1].url` */
function fieldName(fieldPath: readonly (string | number)[]): string {
  return fieldPath.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "") || "(top level)";
}

function keyOffset(doc: Document, mapPath: readonly (string | number)[], key: string): number | null {
  const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
  if (!isMap(map)) return null;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return pair && isNode(pair.key) && pair.key.range ? pair.key.range[0] : null;
}

/** The keys a strict object in `schema` allows at `path`, for "did you mean" (zod 4 definitions, read-only). */
function knownKeys(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let current: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    for (let i = 0; i < 10; i++) {
      const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (!def) return s;
      if (def["innerType"]) s = def["innerType"];
      else if (def["type"] === "pipe") s = def["in"];
      else return s;
    }
    return s;
  };
  for (const step of path) {
    const def = (unwrap(current) as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    if (typeof step === "number" && def["type"] === "array") current = def["element"];
    else if (typeof step === "string" && def["type"] === "object") current = (def["shape"] as Record<string, unknown>)[step];
    else return [];
  }
  const def = (unwrap(current) as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  return def?.["type"] === "object" ? Object.keys(def["shape"] as Record<string, unknown>) : [];
}
