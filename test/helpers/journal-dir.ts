/**
 * @module Test setup: restore journals and per-server locks written without --out go to a folder of this test
 * run's own, not the machine's shared one, so no test finds another run's leftovers (or leaves its own behind).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env["LMCERT_JOURNAL_DIR"] ??= mkdtempSync(join(tmpdir(), "lmcert-test-journals-"));
