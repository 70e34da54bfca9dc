// Loads the CLI bundle (dist/cli.cjs) with V8's code cache (dist/cli.cjs.v8cache, made by scripts/build.mjs).
// Why not a plain import(): parsing and compiling ~1 MB of JavaScript was the largest part of a cold start, and
// Node 20 can reuse compiled code only for scripts compiled through node:vm. Without a usable cache (another Node
// version, other V8 flags) V8 rejects it and compiles as usual: slower, never wrong.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

/** The CommonJS wrapper, the same text at build time (cache) and at run time (else V8 rejects the cache). */
export function wrapCommonJs(source) {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

export function bundlePaths(root) {
  const file = fileURLToPath(new URL("dist/cli.cjs", root));
  return { file, cache: `${file}.v8cache` };
}

/**
 * The bundle loads Pact, playwright-core and the LM Studio SDK with import() on demand. A vm.Script supports
 * import() only when told which loader to use: Node's own, as for any module.
 */
export function dynamicImport() {
  return { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER };
}

/** @returns {{ exports: Record<string, unknown>, codeCacheRejected: boolean }} */
export function loadBundle(root) {
  const { file, cache } = bundlePaths(root);
  let cachedData;
  try {
    cachedData = readFileSync(cache);
  } catch {
    cachedData = undefined; // no cache: compile as usual
  }
  const script = new vm.Script(wrapCommonJs(readFileSync(file, "utf8")), { filename: file, cachedData, ...dynamicImport() });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, codeCacheRejected: cachedData === undefined || script.cachedDataRejected === true };
}
