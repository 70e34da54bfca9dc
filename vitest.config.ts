import { defineConfig } from "vitest/config";

// The Pact consumer tests run alone, after every other file. Under CPU load from parallel test files, the Pact mock
// server (pact-core 19, the newest that runs on Node 20) can report a request it received and answered as "expected
// but not received" (pact-foundation/pact-reference#535, fixed only in pact-core 20, which needs Node 22).
const PACT_TESTS = "test/pact.test.ts";

export default defineConfig({
  test: {
    // A hang guard, not a speed check: generous, since many tests start CLI processes on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most tests wait on sockets, child processes and timeouts rather than CPU: more workers than the 2 cores
    // overlap that waiting.
    maxWorkers: 4,
    // Journals and per-server locks written without --out go to a folder of the test run's own.
    setupFiles: ["test/helpers/journal-dir.ts"],
    // Test files share no global state (every test starts its own mock), so workers keep their module cache
    // between files instead of re-importing the harness for each one.
    isolate: false,
    projects: [
      {
        extends: true,
        // Every test starts its own mock on an ephemeral loopback port, so files can run in parallel safely.
        test: { name: "main", include: ["test/**/*.test.ts"], exclude: [PACT_TESTS], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "pact", include: [PACT_TESTS], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
