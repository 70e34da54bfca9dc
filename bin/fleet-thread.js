// A fleet worker thread (harness/fleet/fleet-threads.ts starts it): the same code as the CLI, bundle or sources,
// chosen as bin/lmcert.js chooses. The main thread has set the CLI's V8 flags already (they are per process).
import { loadCli } from "./load-cli.js";

const { fleetThreadMain } = await loadCli(new URL("../", import.meta.url));
await fleetThreadMain();
