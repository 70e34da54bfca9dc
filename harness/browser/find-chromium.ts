/** @module Finds a system Chromium for the real-browser check. lmcert never downloads a browser. */
import { accessSync, constants } from "node:fs";

export interface ChromiumChoice {
  readonly path: string | null;
  /** Why this one was chosen, or why none was. */
  readonly reason: string;
}

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `--chromium <path>` wins, then LMCERT_CHROMIUM, then the usual install locations. */
export function findChromium(explicit?: string, env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = CANDIDATES): ChromiumChoice {
  const requested = explicit ?? env["LMCERT_CHROMIUM"];
  if (requested) {
    return executable(requested)
      ? { path: requested, reason: `using ${requested}` }
      : { path: null, reason: `${requested} is not an executable file` };
  }
  const found = candidates.find(executable);
  return found
    ? { path: found, reason: `using ${found}` }
    : { path: null, reason: `no Chromium found (looked in ${CANDIDATES.join(", ")}; set --chromium or LMCERT_CHROMIUM; on macOS install Google Chrome or Chromium into /Applications; on Debian: apt-get install chromium)` };
}

export const BROWSER_DISABLED: ChromiumChoice = { path: null, reason: "the real-browser check was turned off (--no-browser)" };
