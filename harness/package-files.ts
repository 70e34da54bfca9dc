/** @module Files shipped with lmcert (JSON Schemas), located from this module: one folder below the package root. */
import { fileURLToPath } from "node:url";

// Like version.ts: one directory below the package root both as a source (harness/) and bundled (dist/cli.cjs).
export function packageFile(...segments: string[]): string {
  return fileURLToPath(new URL(`../${segments.join("/")}`, import.meta.url));
}
