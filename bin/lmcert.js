#!/usr/bin/env node
// Runs the pre-built bundle in dist/ (built by `npm ci` through the `prepare` script) when it is at least as new
// as every source file it was built from. Otherwise, e.g. during development right after an edit, or when install
// scripts were skipped, it runs the TypeScript sources through tsx's loader: slower to start, never stale.
import { bundleIsFresh } from "./bundle-freshness.js";
import { loadBundle } from "./load-bundle.js";

const root = new URL("../", import.meta.url);
let main;
if (bundleIsFresh(root)) {
  ({ main } = loadBundle(root).exports);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../harness/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
