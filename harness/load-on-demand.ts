/**
 * @module Loads a heavy dependency on first use: Pact (a native library), playwright-core, the LM Studio SDK,
 * testcontainers.
 * Every other command would otherwise pay their start-up cost.
 *
 * Why require() and not import(): the CLI runs as one bundle compiled through node:vm with V8's code cache
 * (bin/load-bundle.js), and in Node 20 an import() inside code restored from that cache fails ("A dynamic import
 * callback was not specified"). All four packages ship CommonJS builds; require() loads them the same way from the
 * sources, the tests and the bundle.
 */
import { createRequire } from "node:module";

const requireHere = createRequire(import.meta.url);

export function loadOnDemand<Module>(specifier: "@pact-foundation/pact" | "playwright-core" | "@lmstudio/sdk" | "testcontainers"): Module {
  return requireHere(specifier) as Module;
}
