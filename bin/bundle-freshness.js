// Decides whether dist/ may run: it must exist and be at least as new as every project source file it was built
// from (listed by scripts/build.mjs in dist/sources.json). Kept apart from bin/lmcert.js so a test can call it.
import { readFileSync, statSync } from "node:fs";

/** @param {URL} root the package root, ending in "/" */
export function bundleIsFresh(root) {
  try {
    const builtAt = statSync(new URL("dist/cli.cjs", root)).mtimeMs;
    const sources = JSON.parse(readFileSync(new URL("dist/sources.json", root), "utf8"));
    return sources.every((path) => statSync(new URL(path, root)).mtimeMs <= builtAt);
  } catch {
    return false; // no build, or a source file gone: the sources are the truth
  }
}
