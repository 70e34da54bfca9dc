/** @module The harness version, read from package.json so certificates always name the code that made them. */
import { readFileSync } from "node:fs";

// One directory below the package root both as a source (harness/version.ts) and bundled (dist/cli.cjs,
// dist/index.js, where the build maps import.meta.url to the bundle's own URL).
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
export const HARNESS_VERSION: string = pkg.version;
