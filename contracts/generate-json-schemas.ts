/** @module `npm run contracts:json`: regenerates contracts/json/ from the zod sources. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { contractIds, renderContractFile } from "./json-schema.ts";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "json");
mkdirSync(outDir, { recursive: true });
for (const id of contractIds()) {
  writeFileSync(join(outDir, `${id}.schema.json`), renderContractFile(id));
}
console.log(`wrote ${contractIds().length} JSON Schemas to ${outDir}`);
