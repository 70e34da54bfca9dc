/** @module The harness version, read from package.json so certificates always name the code that made them. */
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
export const HARNESS_VERSION: string = pkg.version;
