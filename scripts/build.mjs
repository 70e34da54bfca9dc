#!/usr/bin/env node
/**
 * Builds dist/ with esbuild (run by `npm ci` through `prepare`, and by `npm test` and `npm run bench`):
 * - dist/cli.cjs: the whole CLI in one CommonJS file, and dist/cli.cjs.v8cache, V8's compiled code for it;
 * - dist/index.js: the package entry (readModelState, loadModel, unloadModel) as one ES module;
 * - dist/sources.json: the project files both were built from.
 *
 * Why: a cold `lmcert certify` spent most of its time starting the tsx loader, resolving hundreds of small modules
 * and compiling them. One bundle with a code cache starts in a fraction of that (bench/RESULTS.md).
 * bin/lmcert.js falls back to the TypeScript sources when dist/ is missing or older than them.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { applyCliV8Flags, bundlePaths, loadBundle } from "../bin/load-bundle.js";

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

/**
 * `undici` → scripts/undici-parts.cjs in both bundles: only the parts lmcert uses (the reasons are in that file).
 * The build fails if the sources import a value from "undici" that the file does not export.
 */
const undiciParts = join(root, "scripts", "undici-parts.cjs");
const undiciUsedParts = {
  name: "undici-used-parts",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^undici$/ }, (args) => (/[\\/]node_modules[\\/]/.test(args.importer) ? undefined : { path: undiciParts }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  // LMCERT_NO_MINIFY=1 keeps function names readable in a `node --cpu-prof` profile (bench/RESULTS.md).
  minify: !process.env.LMCERT_NO_MINIFY,
  // Names stay readable in stack traces of internal errors.
  keepNames: true,
  metafile: true,
  logLevel: "warning",
  plugins: [englishOnlyZodLocales, undiciUsedParts],
  // Native or very large packages that are loaded on demand: resolved from node_modules at run time.
  external: ["@pact-foundation/pact", "playwright-core", "@lmstudio/sdk", "testcontainers"],
};

const cli = await build({
  ...common,
  entryPoints: ["harness/cli/main.ts"],
  outfile: join(outdir, "cli.cjs"),
  format: "cjs",
  // CommonJS has no import.meta; harness/version.ts needs the module's URL to find package.json.
  define: { "import.meta.url": "__lmcertModuleUrl" },
  banner: { js: 'const __lmcertModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
});

const library = await build({
  ...common,
  entryPoints: ["index.ts"],
  outfile: join(outdir, "index.js"),
  format: "esm",
  // Some bundled CommonJS dependencies call require() for Node built-ins; ESM output has no require of its own.
  banner: { js: 'import { createRequire as __lmcertCreateRequire } from "node:module"; const require = __lmcertCreateRequire(import.meta.url);' },
});

// Every value the sources import from "undici" must be among the parts the bundle carries.
const requireHere = createRequire(import.meta.url);
const parts = requireHere(undiciParts);
for (const path of Object.keys(cli.metafile.inputs).concat(Object.keys(library.metafile.inputs))) {
  if (!/^(harness|contracts|suites|fixtures)\//.test(path)) continue;
  for (const [, names] of readFileSync(join(root, path), "utf8").matchAll(/^import\s+\{([^}]*)\}\s+from\s+"undici";/gm)) {
    for (const name of names.split(",").map((n) => n.trim()).filter((n) => n && !n.startsWith("type "))) {
      if (!(name in parts)) throw new Error(`${path} imports ${name} from "undici", which scripts/undici-parts.cjs does not export`);
    }
  }
}

// A dynamic import() in the CLI bundle would fail at run time once restored from the code cache (Node 20).
const dynamicImports = Object.values(cli.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.kind === "dynamic-import"));
if (dynamicImports.length > 0) {
  throw new Error(`dist/cli.cjs must not use import() (it fails in code restored from V8's code cache); use loadOnDemand(): ${dynamicImports.map((i) => i.path).join(", ")}`);
}

// V8's code cache for the CLI bundle, taken from the same compilation the CLI does (bin/load-bundle.js). V8
// compiles most functions only when first called, so the cache is taken after commands that need no network have
// loaded their modules (the help of each command, the check list): it then holds that code compiled as well.
const rootUrl = pathToFileURL(`${root}/`);
applyCliV8Flags(); // the cache is valid only under the flags the CLI runs with
const { exports: bundled, script } = loadBundle(rootUrl, { useCodeCache: false });
const silent = { stdout: { write: () => true }, stderr: { write: () => true } };
for (const argv of [["certify", "--help"], ["fleet", "--help"], ["checks"]]) await bundled.main(argv, silent);
writeFileSync(bundlePaths(rootUrl).cache, script.createCachedData());

// The project's own source files in the bundles: bin/lmcert.js compares their modification times with the
// bundle's to notice an edit made after the last build, and then runs the sources instead of stale code.
const inputs = [cli, library].flatMap((result) => Object.keys(result.metafile.inputs));
const sources = [...new Set(inputs.filter((path) => !path.startsWith("node_modules/")))].sort();
writeFileSync(join(outdir, "sources.json"), `${JSON.stringify(sources)}\n`);
