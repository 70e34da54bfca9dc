#!/usr/bin/env node
// Runs the CLI: the pre-built bundle when it is fresh, else the TypeScript sources (bin/load-cli.js says why).
import { applyCliV8Flags } from "./load-bundle.js";
import { loadCli } from "./load-cli.js";
import { setFlagsFromString } from "node:v8";

// A Ctrl-C while the code is still loading (before main() installs its handlers) would otherwise kill the process
// with the signal (exit 130). Nothing has been touched yet, so exit at once, with lmcert's code for an
// interrupted run (2).
const onEarlySignal = (signal) => {
  process.stderr.write(`interrupted (${signal}) before lmcert started: nothing was changed\n`);
  process.exit(2);
};
process.on("SIGINT", onEarlySignal);
process.on("SIGTERM", onEarlySignal);

const root = new URL("../", import.meta.url);
applyCliV8Flags();
const { main } = await loadCli(root);
process.off("SIGINT", onEarlySignal);
process.off("SIGTERM", onEarlySignal);
// undici parses HTTP with llhttp compiled to WebAssembly. V8 first compiles it with Liftoff, its baseline compiler,
// then re-compiles the hot parser with TurboFan on background threads: ~35 MB of peak RSS and CPU time for a parser
// that reads a few KB per host (bench/RESULTS.md). Liftoff code is fast enough for that, so the CLI stays with it.
// Set only here, after the bundle is loaded (a flag changed earlier makes V8 reject the bundle's code cache), and
// never in the library entry: a process that imports readModelState() keeps its own V8 settings. `fleet` sets it
// itself once it knows it starts no worker thread (harness/cli/commands/fleet.ts): a thread loads the bundle after
// this point, and with a changed flag V8 would reject its code cache (each thread would compile the bundle again).
if (process.argv[2] !== "fleet") setFlagsFromString("--liftoff-only");
process.exitCode = await main(process.argv.slice(2));
// The command is over; a signal while Node winds down must not turn its exit code into 130.
const keepExitCode = () => process.exit(process.exitCode);
process.on("SIGINT", keepExitCode);
process.on("SIGTERM", keepExitCode);
