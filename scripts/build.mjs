#!/usr/bin/env node
/**
 * Bundles the CLI and the library entry into dist/ with esbuild (run by `npm ci` through `prepare`).
 *
 * Why: a cold `lmcert certify` spent most of its time starting the tsx loader and resolving hundreds of small
 * modules. One pre-bundled, minified file per entry loads in a fraction of that. Code split at the dynamic
 * imports keeps the lazy parts lazy (each command, Pact, playwright, the LM Studio SDK).
 * bin/lmcert.js falls back to the TypeScript sources when dist/ is missing or older than them.
 */
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// `prepare` passes --if-possible: an install without dev dependencies has no esbuild, and lmcert still works
// from its sources then, so the install must not fail. `npm test` and `npm run build` insist.
let build;
try {
  ({ build } = await import("esbuild"));
} catch (error) {
  if (!process.argv.includes("--if-possible")) throw error;
  console.warn("lmcert: esbuild is not installed; skipping the build (bin/lmcert.js runs the TypeScript sources)");
  process.exit(0);
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist");
rmSync(outdir, { recursive: true, force: true });

/**
 * zod re-exports all ~50 of its message locales (`z.locales`), about 260 KB that every start would parse. lmcert
 * reports in English only, so the locale table is cut down to English (zod's default) in the bundle.
 */
const englishOnlyZodLocales = {
  name: "english-only-zod-locales",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), "..", "locales", "en.js") } : undefined,
    );
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: "harness/cli/main.ts", index: "index.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  // Names stay readable in stack traces of internal errors.
  keepNames: true,
  metafile: true,
  plugins: [englishOnlyZodLocales],
  logLevel: "warning",
  // Native or very large packages that are loaded on demand: resolved from node_modules at run time.
  external: ["@pact-foundation/pact", "playwright-core", "@lmstudio/sdk", "testcontainers"],
  // Some bundled CommonJS dependencies call require() for Node built-ins; ESM output has no require of its own.
  banner: { js: 'import { createRequire as __lmcertCreateRequire } from "node:module"; const require = __lmcertCreateRequire(import.meta.url);' },
});

// The project's own source files in the bundle: bin/lmcert.js compares their modification times with the bundle's
// to notice an edit made after the last build, and then runs the sources instead of stale code.
const sources = Object.keys(result.metafile.inputs).filter((path) => !path.startsWith("node_modules/")).sort();
writeFileSync(join(outdir, "sources.json"), `${JSON.stringify(sources)}\n`);
