// Loads the CLI bundle (dist/cli.cjs) with V8's code cache (dist/cli.cjs.v8cache, made by scripts/build.mjs).
// Why not a plain import(): parsing and compiling ~1 MB of JavaScript was the largest part of a cold start, and
// Node 20 can reuse compiled code only for scripts compiled through node:vm. Without a usable cache (another Node
// version, other V8 flags) V8 rejects it and compiles as usual: slower, never wrong.
// The bundle must not use import(): in Node 20 it fails inside code restored from a cache, so scripts/build.mjs
// refuses a bundle that does (on-demand packages load through harness/load-on-demand.ts instead).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import vm from "node:vm";

/**
 * V8 flags the CLI runs with, set before the bundle is compiled: by bin/lmcert.js, and by scripts/build.mjs when it
 * makes the code cache. V8 accepts a code cache only under the flags it was made with, and a fleet's worker threads
 * load the bundle after the main thread, so any flag the CLI sets must already be set at build time.
 * - `--heap-growing-percent=50`: after each full garbage collection, V8 lets the heap grow to 1.5 × what survived,
 *   instead of up to 4 × while a program allocates fast. A fleet allocates fast and keeps little (~20 KB a host):
 *   1,000 hosts peaked at ~300 MB RSS with V8's default, ~205 MB with this, for ~5 % more CPU (bench/RESULTS.md).
 */
export const CLI_V8_FLAGS = ["--heap-growing-percent=50"];

export function applyCliV8Flags() {
  for (const flag of CLI_V8_FLAGS) setFlagsFromString(flag);
}

export function bundlePaths(root) {
  const file = fileURLToPath(new URL("dist/cli.cjs", root));
  return { file, cache: `${file}.v8cache` };
}

/**
 * Compiles and runs the bundle as a CommonJS module. The build calls this without the cache to make one from the
 * returned script; the CLI calls it with the cache.
 * @returns {{ exports: Record<string, unknown>, script: vm.Script, codeCacheRejected: boolean }}
 */
export function loadBundle(root, { useCodeCache = true } = {}) {
  const { file, cache } = bundlePaths(root);
  let cachedData;
  try {
    cachedData = useCodeCache ? readFileSync(cache) : undefined;
  } catch {
    cachedData = undefined; // no cache: compile as usual
  }
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`;
  const script = new vm.Script(source, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script, codeCacheRejected: cachedData === undefined || script.cachedDataRejected === true };
}
