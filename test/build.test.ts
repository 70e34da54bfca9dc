import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { bundleIsFresh } from "../bin/bundle-freshness.js";
import { loadBundle } from "../bin/load-bundle.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** A package root with a built dist/ and one source file, with chosen modification times (seconds). */
function fakeBuild(sourceTime: number, bundleTime: number): string {
  const root = mkdtempSync(join(tmpdir(), "lmcert-build-"));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "dist"));
  mkdirSync(join(root, "harness"));
  writeFileSync(join(root, "harness", "a.ts"), "export {};\n");
  writeFileSync(join(root, "dist", "cli.cjs"), "exports.main = () => 0;\n");
  writeFileSync(join(root, "dist", "sources.json"), JSON.stringify(["harness/a.ts"]));
  utimesSync(join(root, "harness", "a.ts"), sourceTime, sourceTime);
  utimesSync(join(root, "dist", "cli.cjs"), bundleTime, bundleTime);
  return root;
}

const asRoot = (dir: string) => pathToFileURL(`${dir}/`);

describe("the pre-built bundle (dist/) that bin/lmcert.js runs", () => {
  it("is used only when it is at least as new as every source it was built from", () => {
    const fresh = fakeBuild(1_000, 2_000);
    const stale = fakeBuild(3_000, 2_000);
    expect(bundleIsFresh(asRoot(fresh))).toBe(true);
    expect(bundleIsFresh(asRoot(stale))).toBe(false);
  });

  it("is not used when it is missing or names a source that no longer exists", () => {
    const missing = fakeBuild(1_000, 2_000);
    rmSync(join(missing, "dist"), { recursive: true });
    expect(bundleIsFresh(asRoot(missing))).toBe(false);
    const gone = fakeBuild(1_000, 2_000);
    rmSync(join(gone, "harness", "a.ts"));
    expect(bundleIsFresh(asRoot(gone))).toBe(false);
  });

  it("is fresh in this checkout, since `npm test` builds before it tests (else: npm run build)", () => {
    expect(bundleIsFresh(asRoot(ROOT))).toBe(true);
  });

  it("loads with the code cache the build made, which V8 accepts under the CLI's flags (else every start compiles ~1 MB again)", async () => {
    // In a fresh process, as the CLI runs: V8 rejects a cache made under other V8 flags, and a test worker's flags
    // may have been changed by another test file.
    const root = pathToFileURL(`${ROOT}/`).href;
    const script = `const { applyCliV8Flags, loadBundle } = await import(${JSON.stringify(`${root}bin/load-bundle.js`)});
applyCliV8Flags();
const { exports, codeCacheRejected } = loadBundle(new URL(${JSON.stringify(root)}));
console.log(JSON.stringify({ main: typeof exports.main, codeCacheRejected }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toEqual({ main: "function", codeCacheRejected: false });
  });

  it("loads with the code cache in a fleet worker thread too, after the main thread set its flags", async () => {
    // bin/lmcert.js changes a V8 flag once the bundle is loaded (not for `fleet`); a flag changed before a worker
    // thread loads the bundle would make V8 reject the cache there, and each thread would compile it again.
    const root = pathToFileURL(`${ROOT}/`).href;
    const script = `const { applyCliV8Flags, loadBundle } = await import(${JSON.stringify(`${root}bin/load-bundle.js`)});
const { Worker } = await import("node:worker_threads");
applyCliV8Flags();
loadBundle(new URL(${JSON.stringify(root)}));
const code = "const { loadBundle } = await import(" + JSON.stringify(${JSON.stringify(`${root}bin/load-bundle.js`)}) + "); const { parentPort } = await import('node:worker_threads'); parentPort.postMessage(loadBundle(new URL(" + JSON.stringify(${JSON.stringify(root)}) + ")).codeCacheRejected);";
const worker = new Worker(new URL("data:text/javascript," + encodeURIComponent(code)));
worker.once("message", (rejected) => { console.log(JSON.stringify({ workerCodeCacheRejected: rejected })); worker.terminate(); });`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toEqual({ workerCodeCacheRejected: false });
  });

  it("still loads, compiling as usual, when the code cache is unusable (another Node version, a damaged file)", () => {
    const root = mkdtempSync(join(tmpdir(), "lmcert-cache-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, "dist"));
    writeFileSync(join(root, "package.json"), readFileSync(join(ROOT, "package.json")));
    writeFileSync(join(root, "dist", "cli.cjs"), readFileSync(join(ROOT, "dist", "cli.cjs")));
    writeFileSync(join(root, "dist", "cli.cjs.v8cache"), readFileSync(join(ROOT, "dist", "cli.cjs.v8cache")).subarray(0, 1000));
    const { exports, codeCacheRejected } = loadBundle(asRoot(root));
    expect(codeCacheRejected).toBe(true);
    expect(typeof exports["main"]).toBe("function");
  });

  it("runs in plain Node, with no TypeScript loader: the CLI and the package entry", async () => {
    const version = await run(process.execPath, [join(ROOT, "bin", "lmcert.js"), "--version"]);
    expect(version.stdout.trim()).toBe(VERSION);
    const help = await run(process.execPath, [join(ROOT, "bin", "lmcert.js"), "fleet", "--help"]);
    expect(help.stdout).toContain("Usage: lmcert fleet");
    const entry = await run(
      process.execPath,
      ["--input-type=module", "-e", 'const m = await import("lmcert"); console.log(Object.keys(m).sort().join(","))'],
      { cwd: ROOT },
    );
    expect(entry.stdout.trim()).toBe("ModelStateUnavailableError,loadModel,readModelState,unloadModel");
  });
});
