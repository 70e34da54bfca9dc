/** @module Loads a standard file (YAML or JSON) and validates it; the built-in default ships with the package. */
import { Standard } from "../contracts/standard.ts";
import { parseYamlFile } from "./yaml-file.ts";
import { readUserFile } from "./read-user-file.ts";

/** `listing: loaded-only` by default: the cluster reads /v1/models as "loaded", and nothing loads behind its back. */
export const DEFAULT_STANDARD: Standard = Standard.parse({ standard: "cluster-standard", version: 1 });

export function loadStandard(path: string | undefined): Standard {
  if (path === undefined) return DEFAULT_STANDARD;
  return parseStandard(readUserFile(path, "Standard file"), path);
}

export function parseStandard(text: string, where: string): Standard {
  return parseYamlFile(text, where, "Standard file", Standard).data;
}
