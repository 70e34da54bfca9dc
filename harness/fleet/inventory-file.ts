/** @module Loads an inventory file: YAML errors, unknown fields, duplicates, bad URLs and unset token variables
 * all become one UsageError naming the file, the line and the field. */
import { dirname, resolve } from "node:path";
import { ContainerTarget } from "../../contracts/container.ts";
import { parseHostUrl } from "../../contracts/host-url.ts";
import { Inventory, type InventoryServer } from "../../contracts/inventory.ts";
import type { Standard } from "../../contracts/standard.ts";
import { UsageError } from "../errors.ts";
import { loadStandard } from "../standard-file.ts";
import { rememberSecret } from "../server-text.ts";
import { parseYamlFile } from "../yaml-file.ts";
import { readUserFile } from "../read-user-file.ts";
import { normalisedOrigin } from "../net/server-identity.ts";

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
  /** Things worth saying before the run, e.g. "servers[0].url: lmcert used http://host:1234". */
  readonly notes?: readonly string[];
}

export function loadInventory(path: string, options: { standardOverride?: string; env?: NodeJS.ProcessEnv } = {}): LoadedInventory {
  const { data, where } = parseYamlFile(readUserFile(path, "Inventory"), path, "Inventory", Inventory);
  const servers = data.servers;
  const seen = new Map<string, number>();
  servers.forEach((server, i) => {
    const first = seen.get(server.name);
    if (first !== undefined) throw new UsageError(`${where(["servers", i, "name"])}: duplicate name "${server.name}" (first at servers[${first}])`);
    seen.set(server.name, i);
  });
  // The same server twice would run two mutation sessions against it at once, each snapshotting the other's
  // loads (issue 15.5). An exact duplicate (after normalising case, default port and trailing slash) is a mistake;
  // an alias (localhost vs 127.0.0.1) may be deliberate and is certified after the other, never alongside it.
  const origins = new Map<string, number>();
  servers.forEach((server, i) => {
    if (server.url === undefined) return; // a container: lmcert starts a fresh one per entry
    const origin = normalisedOrigin(server.url);
    const first = origins.get(origin);
    if (first !== undefined) {
      throw new UsageError(`${where(["servers", i, "url"])}: ${server.url} is the same server as servers[${first}] (${where(["servers", first, "url"]).replace(/: servers.*$/, "")}, "${servers[first]?.name}"): list each server once`);
    }
    origins.set(origin, i);
  });
  const env = options.env ?? process.env;
  const notes: string[] = [];
  const hosts = servers.map((server, i) => {
    const token = server.tokenEnv === undefined ? undefined : env[server.tokenEnv]?.trim();
    if (server.tokenEnv !== undefined && !token) {
      throw new UsageError(`${where(["servers", i, "tokenEnv"])}: the environment variable ${server.tokenEnv} is not set (or is empty)`);
    }
    // Every host's token is redacted from every host's output: an echo can cross hosts in a shared report.
    rememberSecret(token);
    const container = containerTarget(server.container, path);
    if (server.url === undefined) return { name: server.name, url: null, container, token, tokenEnv: server.tokenEnv ?? null, lifecycleModel: server.lifecycleModel ?? null };
    const url = parseHostUrl(server.url);
    // The schema already refused URLs that do not parse; a pasted /v1 base URL is reduced to the root, and said so.
    if (url.ok && url.note) notes.push(`${where(["servers", i, "url"])}: ${url.note}`);
    return { name: server.name, url: url.ok ? url.url : server.url, container, token, tokenEnv: server.tokenEnv ?? null, lifecycleModel: server.lifecycleModel ?? null };
  });
  if (options.standardOverride !== undefined || data.standard === undefined) {
    return { path, standard: loadStandard(options.standardOverride), hosts, notes };
  }
  try {
    return { path, standard: loadStandard(resolve(dirname(path), data.standard)), hosts, notes };
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
