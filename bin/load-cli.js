// The CLI's code for bin/lmcert.js and for a fleet's worker threads (bin/fleet-thread.js): the pre-built bundle in
// dist/ (built by `npm ci` through the `prepare` script) when it is at least as new as every source file it was
// built from. Otherwise, e.g. during development right after an edit, or when install scripts were skipped, the
// TypeScript sources through tsx's loader: slower to start, never stale.
import { bundleIsFresh } from "./bundle-freshness.js";
import { loadBundle } from "./load-bundle.js";

/** The exports of harness/cli/main.ts. */
export async function loadCli(root) {
  if (bundleIsFresh(root)) return loadBundle(root).exports;
  const { register } = await import("tsx/esm/api");
  register();
  return import(new URL("harness/cli/main.ts", root).href);
}
