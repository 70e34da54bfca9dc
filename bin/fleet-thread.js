// A fleet worker thread (harness/fleet/fleet-threads.ts starts it): the same code as the CLI, from the pre-built
// bundle when it is fresh, else from the TypeScript sources, exactly as bin/lmcert.js chooses.
import { bundleIsFresh } from "./bundle-freshness.js";
import { loadBundle } from "./load-bundle.js";

const root = new URL("../", import.meta.url);
let fleetThreadMain;
if (bundleIsFresh(root)) {
  ({ fleetThreadMain } = loadBundle(root).exports);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ fleetThreadMain } = await import("../harness/cli/fleet-thread.ts"));
}
await fleetThreadMain();
