/** @module The harness version, read from package.json so certificates always name the code that made them. */
import { existsSync, readFileSync } from "node:fs";

// This module runs from the sources (harness/) and from the compiled build (dist/harness/), so the package root
// is found by walking up rather than by a fixed relative path.
function findPackageJson(): URL {
  for (let dir = new URL("./", import.meta.url); ; dir = new URL("../", dir)) {
    const candidate = new URL("package.json", dir);
    if (existsSync(candidate)) return candidate;
    if (dir.pathname === "/") throw new Error(`lmcert's package.json not found above ${import.meta.url}`);
  }
}

const pkg = JSON.parse(readFileSync(findPackageJson(), "utf8")) as { version: string };
export const HARNESS_VERSION: string = pkg.version;
