/**
 * @module Validates payloads against the contracts' JSON Schemas, with ajv validators precompiled by
 * `npm run contracts:json` (contracts/json/validators.js); reports instance paths and drift.
 */
import type { ContractId } from "../contracts/index.ts";
import type { JsonSchema } from "../contracts/json-schema.ts";
import { schemas, validators } from "../contracts/json/validators.js";

export interface SchemaIssue {
  /** JSON Pointer into the payload, e.g. `/data/0/id`; empty string means the whole payload. */
  readonly path: string;
  readonly message: string;
}

export interface SchemaReport {
  readonly valid: boolean;
  readonly issues: readonly SchemaIssue[];
  /** Fields the contract does not know. Allowed (LM Studio adds fields over time) but reported. */
  readonly drift: readonly string[];
}

export function validateContract(id: ContractId, value: unknown): SchemaReport {
  const { valid, issues } = checkContract(id, value);
  const schema = schemas[id];
  return { valid, issues, drift: findDrift(schema, schema, value, "") };
}

/**
 * validateContract without the drift walk, for callers that only need to know whether a payload may be used (the
 * model-state readers, several times per host in a fleet): the walk costs more than ajv's precompiled check.
 */
export function checkContract(id: ContractId, value: unknown): Omit<SchemaReport, "drift"> {
  const validate = validators[id];
  const valid = validate(value) === true;
  const issues = (validate.errors ?? []).map((error) => ({
    path: error.instancePath,
    message: error.keyword === "additionalProperties"
      ? `unknown field "${String(error.params["additionalProperty"])}"`
      : (error.message ?? error.keyword),
  }));
  return { valid, issues };
}

/** One line per issue, `✖ message → at /path`, for reasons and console output. */
export function formatIssues(issues: readonly SchemaIssue[], limit = 5): string {
  const lines = issues.slice(0, limit).map((issue) => `✖ ${issue.message} → at ${issue.path || "(root)"}`);
  if (issues.length > limit) lines.push(`… and ${issues.length - limit} more`);
  return lines.join("\n");
}

/** `$ref` chains followed once per schema node: the drift walk meets the same nodes for every item of every payload. */
const resolvedRefs = new WeakMap<JsonSchema, WeakMap<JsonSchema, JsonSchema>>();

function resolve(root: JsonSchema, schema: JsonSchema): JsonSchema {
  let known = resolvedRefs.get(root);
  if (!known) resolvedRefs.set(root, (known = new WeakMap()));
  let resolved = known.get(schema);
  if (!resolved) known.set(schema, (resolved = followRefs(root, schema)));
  return resolved;
}

function followRefs(root: JsonSchema, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; typeof current["$ref"] === "string" && depth < 10; depth++) {
    const pointer = (current["$ref"] as string).replace(/^#\//, "").split("/");
    let target: unknown = root;
    for (const part of pointer) target = (target as Record<string, unknown> | undefined)?.[part];
    if (!target || typeof target !== "object") break;
    current = target as JsonSchema;
  }
  return current;
}

/** Walks schema and value together; an object key not declared in `properties` is drift. */
function findDrift(root: JsonSchema, schemaIn: JsonSchema, value: unknown, path: string): string[] {
  const drift: string[] = [];
  collectDrift(root, schemaIn, value, path, drift);
  return drift;
}

/** findDrift's walk, adding to one list in the order found (no list per node). */
function collectDrift(root: JsonSchema, schemaIn: JsonSchema, value: unknown, path: string, drift: string[]): void {
  const schema = resolve(root, schemaIn);
  const branches = (schema["anyOf"] ?? schema["oneOf"]) as JsonSchema[] | undefined;
  if (branches) {
    const objectBranch = branches.map((b) => resolve(root, b)).find((b) => b["type"] === "object" || b["items"]);
    if (objectBranch) collectDrift(root, objectBranch, value, path, drift);
    return;
  }
  if (Array.isArray(value) && schema["items"] && typeof schema["items"] === "object") {
    const items = schema["items"] as JsonSchema;
    value.forEach((item, index) => collectDrift(root, items, item, `${path}/${index}`, drift));
    return;
  }
  const properties = schema["properties"] as Record<string, JsonSchema> | undefined;
  if (!properties || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const childSchema = properties[key];
    if (childSchema) collectDrift(root, childSchema, child, `${path}/${key}`, drift);
    else drift.push(`${path}/${key}`);
  }
}
