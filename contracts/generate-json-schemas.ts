/** @module `npm run contracts:json`: regenerates contracts/json/ (JSON Schemas and precompiled validators) from zod. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { contractIds, renderContractFile } from "./json-schema.ts";
import { renderValidatorsModule } from "./render-validators.ts";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "json");
mkdirSync(outDir, { recursive: true });
for (const id of contractIds()) {
  writeFileSync(join(outDir, `${id}.schema.json`), renderContractFile(id));
}
writeFileSync(join(outDir, "validators.js"), renderValidatorsModule());
console.log(`wrote ${contractIds().length} JSON Schemas and their precompiled validators to ${outDir}`);
