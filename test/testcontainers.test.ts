/** The containerised mock via testcontainers. Skipped, visibly, where there is no container runtime (as here). */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { containerRuntime, startMockLmStudio } from "../fixtures/testcontainers/lmstudio-mock-container.ts";
import { certify, check } from "./helpers/hosts.ts";

const runtime = await containerRuntime(5_000);

describe("containerRuntime()", () => {
  it("answers quickly either way, and says why", () => {
    expect(typeof runtime.available).toBe("boolean");
    expect(runtime.reason).toMatch(/container runtime/);
  });
});

describe.skipIf(!runtime.available)(`the mock LM Studio in a container (${runtime.reason})`, () => {
  it("starts from fixtures/docker/Dockerfile and certifies like the in-process mock", async () => {
    const host = await startMockLmStudio(join(import.meta.dirname, ".."), "mac-studio-2");
    try {
      const cert = await certify(host.url);
      expect(check(cert, "listing.matches-standard").observed["behaviour"]).toBe("all-available");
    } finally {
      await host.stop();
    }
  }, 300_000);
});
