import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every test starts its own mock on an ephemeral loopback port, so files can run in parallel safely.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
