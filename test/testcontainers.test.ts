/**
 * The mock LM Studio as a real network host, in a container started through testcontainers from the offline image
 * (built once per content hash). Skipped, with the reason, where there is no container engine; `.ci/run` starts one.
 */
import { GenericContainer, Wait } from "testcontainers";
import { describe, expect, it } from "vitest";
import { PRESETS, type PresetName } from "../fixtures/mock/presets.ts";
import { startMockLmStudio, type StartedLmStudio } from "../fixtures/testcontainers/lmstudio-mock-container.ts";
import { offlineMockImage } from "../fixtures/testcontainers/offline-mock-image.ts";
import { engine } from "./helpers/containers.ts";
import { certify, check, mockHost, statuses } from "./helpers/hosts.ts";

describe("containerRuntime()", () => {
  it("answers quickly either way, and says why", () => {
    expect(typeof engine.available).toBe("boolean");
    expect(engine.reason).toMatch(/container runtime/);
  });
});

/** Every preset, and the version profiles that change which surfaces exist (lmstudio-api.md). */
const PROFILES: { preset: PresetName; lmstudioVersion?: string }[] = [
  ...Object.keys(PRESETS).map((preset) => ({ preset: preset as PresetName })),
  { preset: "compliant", lmstudioVersion: "0.3.5" },
  { preset: "compliant", lmstudioVersion: "0.3.20" },
  { preset: "mac-studio-2", lmstudioVersion: "0.3.20" },
  // The 0.4 profiles (issue 11.3: 0.4.2 answers a request without a token with 200 "Unexpected endpoint", 0.4.18
  // with 401), through the image's --lmstudio-version flag like the others.
  { preset: "compliant", lmstudioVersion: "0.4.2" },
  { preset: "compliant", lmstudioVersion: "0.4.18" },
  { preset: "mac-studio-1", lmstudioVersion: "0.4.2" },
];

async function withContainer<T>(start: Promise<StartedLmStudio>, use: (host: StartedLmStudio) => Promise<T>): Promise<T> {
  const host = await start;
  try {
    return await use(host);
  } finally {
    await host.stop();
  }
}

describe.skipIf(!engine.available)(`the mock LM Studio in a container (${engine.reason})`, () => {
  it("certifies every preset and version profile with the same verdicts as the in-process mock", async () => {
    await offlineMockImage();
    // Concurrently: each container is its own host on its own published port.
    await Promise.all(
      PROFILES.map(async (profile) => {
        const label = `${profile.preset}${profile.lmstudioVersion ? `@${profile.lmstudioVersion}` : ""}`;
        const inProcess = await certify((await mockHost(profile.preset, profile.lmstudioVersion ? { version: profile.lmstudioVersion } : {})).url);
        const contained = await withContainer(startMockLmStudio(profile), (host) => certify(host.url, { servedPort: host.servedPort }));
        expect({ label, verdict: contained.verdict, checks: statuses(contained) }).toEqual({ label, verdict: inProcess.verdict, checks: statuses(inProcess) });
        expect(contained.host.surfaces, label).toEqual(inProcess.host.surfaces);
        expect(check(contained, "bind.port").reason, label).toMatch(/inside the container/);
      }),
    );
  }, 240_000);

  it("mac-studio-2 in a container lists all-available, as on the real Mac Studio 2", async () => {
    const cert = await withContainer(startMockLmStudio({ preset: "mac-studio-2" }), (host) => certify(host.url, { servedPort: host.servedPort }));
    expect(check(cert, "listing.matches-standard").observed["behaviour"]).toBe("all-available");
    expect(cert.verdict).toBe("not-certified");
  }, 120_000);
});

/** lmcert inside the mock's network namespace (a sidecar, like a pod's second container): its own certify run. */
async function certifyFromSidecar(mock: StartedLmStudio): Promise<string> {
  const image = await offlineMockImage();
  const sidecar = await new GenericContainer(image.name)
    .withNetworkMode(`container:${mock.container.getId()}`)
    .withCommand(["certify", `http://127.0.0.1:${mock.servedPort}`, "--only", "health.greeting,bind.reachable-off-loopback"])
    .withWaitStrategy(Wait.forLogMessage(/verdict:/))
    .withStartupTimeout(60_000)
    .start();
  try {
    let output = "";
    const logs = await sidecar.logs();
    logs.on("data", (chunk: string | Buffer) => (output += String(chunk)));
    const deadline = Date.now() + 10_000;
    while (!/bind\.reachable-off-loopback/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    logs.destroy();
    return output;
  } finally {
    await sidecar.stop();
  }
}

describe.skipIf(!engine.available)(`bind, for real, across a container network (${engine.reason})`, () => {
  it("from outside through the published port: 0.0.0.0 inside is reachable and passes, 127.0.0.1 inside is unreachable", async () => {
    const [open, loopback] = await Promise.all([
      withContainer(startMockLmStudio({ bind: "0.0.0.0" }), (host) => certify(host.url, { servedPort: host.servedPort })),
      withContainer(startMockLmStudio({ bind: "127.0.0.1" }), (host) => certify(host.url, { servedPort: host.servedPort })),
    ]);
    expect(check(open, "health.greeting").status).toBe("passed");
    expect(check(open, "bind.reachable-off-loopback").status).toBe("passed");
    expect(open.verdict).toBe("certified");
    // The published port forwards to the container's own interface; a server bound to its loopback refuses that.
    expect(check(loopback, "health.greeting").status).toBe("error");
    expect(check(loopback, "health.greeting").reason).toMatch(/refused|reset|closed/i);
    expect(loopback.verdict).not.toBe("certified");
  }, 120_000);

  it("bind.reachable-off-loopback tells them apart from a sidecar, using only the container's own interface address", async () => {
    const [open, loopback] = await Promise.all([
      withContainer(startMockLmStudio({ bind: "0.0.0.0" }), certifyFromSidecar),
      withContainer(startMockLmStudio({ bind: "127.0.0.1" }), certifyFromSidecar),
    ]);
    expect(open).toMatch(/✔ passed\s+health\.greeting/);
    expect(open).toMatch(/✔ passed\s+bind\.reachable-off-loopback\s+LM Studio also answers on \d+\.\d+\.\d+\.\d+/);
    expect(loopback).toMatch(/✔ passed\s+health\.greeting/);
    expect(loopback).toMatch(/✖ failed\s+bind\.reachable-off-loopback\s+bound to loopback only: connections to \d+\.\d+\.\d+\.\d+ on port 1234 were refused/);
  }, 120_000);
});
