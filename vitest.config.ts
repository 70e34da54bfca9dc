import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every test starts its own mock on an ephemeral loopback port, so files can run in parallel safely.
    // A hang guard, not a speed check: generous, since many tests start CLI processes on a 2-core machine.
    testTimeout: 60_000,
    // Most tests wait on sockets, child processes and timeouts rather than CPU: more workers than the 2 cores
    // overlap that waiting.
    maxWorkers: 3,
    // Test files share no global state (every test starts its own mock), so workers keep their module cache
    // between files instead of re-importing the harness for each one.
    isolate: false,
    hookTimeout: 60_000,
  },
});
