/** @module Loads an inventory file: YAML errors, unknown fields, duplicates, bad URLs and unset token variables
 * all become one UsageError naming the file, the line and the field. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument, isNode } from "yaml";
import { ContainerTarget } from "../../contracts/container.ts";
import { Inventory, type InventoryServer } from "../../contracts/inventory.ts";
import type { Standard } from "../../contracts/standard.ts";
import { UsageError } from "../errors.ts";
import { loadStandard } from "../standard-file.ts";

export interface FleetHost {
  readonly name: string;
  /** Exactly one of url and container is set. */
  readonly url: string | null;
  /** lmcert starts this image and certifies it (inventory `container:`). */
  readonly container: ContainerTarget | null;
  readonly token: string | undefined;
  readonly tokenEnv: string | null;
  readonly lifecycleModel: string | null;
}

export interface LoadedInventory {
  readonly path: string;
  readonly standard: Standard;
  readonly hosts: readonly FleetHost[];
}

export function loadInventory(path: string, options: { standardOverride?: string; env?: NodeJS.ProcessEnv } = {}): LoadedInventory {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new UsageError(`Cannot read inventory ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  const lines = new LineCounter();
  // logLevel "error": YAML warnings (e.g. unknown tags) must not leak to the console as Node process warnings.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, logLevel: "error" });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const at = yamlError.linePos?.[0];
    throw new UsageError(`${path}${at ? `:${at.line}:${at.col}` : ""}: not valid YAML: ${yamlError.message.split("\n")[0]}`);
  }
  /** `servers.1.url` → `inventory.yaml:7: servers[1].url` */
  const where = (fieldPath: readonly (string | number)[]): string => {
    let node: unknown = doc.getIn(fieldPath, true);
    for (let cut = fieldPath.length; (!isNode(node) || !node.range) && cut > 0; cut--) node = doc.getIn(fieldPath.slice(0, cut - 1), true);
    const offset = isNode(node) && node.range ? node.range[0] : null;
    const line = offset === null ? "" : `:${lines.linePos(offset).line}`;
    const field = fieldPath.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "");
    return `${path}${line}: ${field || "(top level)"}`;
  };
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (cause) {
    // e.g. an alias to an anchor that does not exist
    throw new UsageError(`${path}: not valid YAML: ${(cause as Error).message.split("\n")[0]}`, { cause });
  }
  const parsed = Inventory.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${where(issue.path as (string | number)[])}: ${issue.message}`);
    throw new UsageError(`Inventory ${path} is invalid:\n${problems.join("\n")}`);
  }
  const servers = parsed.data.servers;
  const seen = new Map<string, number>();
  servers.forEach((server, i) => {
    const first = seen.get(server.name);
    if (first !== undefined) throw new UsageError(`${where(["servers", i, "name"])}: duplicate name "${server.name}" (first at servers[${first}])`);
    seen.set(server.name, i);
  });
  const env = options.env ?? process.env;
  const hosts = servers.map((server, i) => {
    const token = server.tokenEnv === undefined ? undefined : env[server.tokenEnv]?.trim();
    if (server.tokenEnv !== undefined && !token) {
      throw new UsageError(`${where(["servers", i, "tokenEnv"])}: the environment variable ${server.tokenEnv} is not set (or is empty)`);
    }
    return { name: server.name, url: server.url ?? null, container: containerTarget(server.container, path), token, tokenEnv: server.tokenEnv ?? null, lifecycleModel: server.lifecycleModel ?? null };
  });
  if (options.standardOverride !== undefined || parsed.data.standard === undefined) {
    return { path, standard: loadStandard(options.standardOverride), hosts };
  }
  try {
    return { path, standard: loadStandard(resolve(dirname(path), parsed.data.standard)), hosts };
  } catch (error) {
    // The standard's own message names its file; this says which inventory line sent us there.
    if (error instanceof UsageError) throw new UsageError(`${where(["standard"])}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** `container: image` is short for `container: { image }`; a relative models folder is relative to the inventory. */
function containerTarget(entry: InventoryServer["container"], inventoryPath: string): ContainerTarget | null {
  if (entry === undefined) return null;
  const target = typeof entry === "string" ? ContainerTarget.parse({ image: entry }) : entry;
  return target.models === undefined ? target : { ...target, models: resolve(dirname(inventoryPath), target.models) };
}
