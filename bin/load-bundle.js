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
import vm from "node:vm";

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
