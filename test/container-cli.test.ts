/**
 * Upgrade rehearsal: `lmcert certify --container <image>` and fleet `container:` entries, against the offline mock
 * image on a real engine. Every test also asks the engine that no container was left behind.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getContainerRuntimeClient } from "testcontainers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Certificate } from "../contracts/certificate.ts";
import { ContainerTarget } from "../contracts/container.ts";
import { HOST_LABEL, startContainerHost } from "../harness/container/start-container.ts";
import { offlineMockImage } from "../fixtures/testcontainers/offline-mock-image.ts";
import { runCli } from "./helpers/cli.ts";
import { engine, eventually, lmcertContainers } from "./helpers/containers.ts";
import { tempDir } from "./helpers/fleet.ts";
import { LAN_STAND_IN } from "./helpers/hosts.ts";

const BIN = join(import.meta.dirname, "..", "bin", "lmcert.js");
const FAST = ["--no-browser", "--probe-address", LAN_STAND_IN];
let image = "";
let run = 0;
/** A host name (and container label) unique to one test, so concurrent tests never see each other's containers. */
const uniqueName = (what: string) => `ct-${what}-${process.pid}-${++run}`;

function certificateFrom(stdout: string): Certificate {
  return JSON.parse(stdout) as Certificate;
}

/** Runs the real CLI process (for signals and for a process whose engine settings differ from this one's). */
function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += String(c)));
  child.stderr.on("data", (c: Buffer) => (stderr += String(c)));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe("lmcert certify --container without an engine", () => {
  it("says in one line how to get one, and exits 2", async () => {
    const home = tempDir("lmcert-no-engine-");
    const { exited } = spawnCli(["certify", "--container", "lmcert-offline-mock:any"], {
      PATH: process.env["PATH"],
      HOME: home,
      DOCKER_HOST: `unix://${join(home, "no-such-engine.sock")}`,
      TESTCONTAINERS_RYUK_DISABLED: "true",
    });
    const r = await exited;
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lmcert: no container engine \(.+\): install Docker .*podman/);
  }, 60_000);

  it("rejects --container-* options without --container, and a <url> with it", async () => {
    expect((await runCli(["certify", "http://127.0.0.1:1", "--container-port", "1234"])).stderr).toMatch(/--container-port needs --container <image>/);
    const both = await runCli(["certify", "http://127.0.0.1:1", "--container", "x"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give no <url>/);
    const env = await runCli(["certify", "--container", "x", "--container-env", "NOT_SET_ANYWHERE_42"]);
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/--container-env NOT_SET_ANYWHERE_42: the environment variable NOT_SET_ANYWHERE_42 is not set/);
    const cmd = await runCli(["certify", "--container", "x", "--container-cmd", "[1,2]"]);
    expect(cmd.stderr).toMatch(/--container-cmd: the JSON form must be a non-empty array of strings/);
  });
});

describe("fleet inventories with container: entries", () => {
  it("need exactly one of url and container, named by file and line", async () => {
    const dir = tempDir("lmcert-inv-container-");
    const both = join(dir, "both.yaml");
    writeFileSync(both, "servers:\n  - name: a\n    url: http://127.0.0.1:1\n    container: lmcert-mock\n");
    const neither = join(dir, "neither.yaml");
    writeFileSync(neither, "servers:\n  - name: a\n    tokenEnv: X\n");
    const badPort = join(dir, "bad-port.yaml");
    writeFileSync(badPort, "servers:\n  - name: a\n    container: { image: lmcert-mock, port: 70000 }\n");
    for (const [path, message] of [
      [both, /both\.yaml:2:5: servers\[0\]: give exactly one of url and container/],
      [neither, /neither\.yaml:2:5: servers\[0\]: give exactly one of url and container/],
      [badPort, /bad-port\.yaml:3:\d+: servers\[0\]\.container/],
    ] as const) {
      const r = await runCli(["fleet", path, "--out", join(dir, "out")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe.skipIf(!engine.available)(`lmcert certify --container (${engine.reason})`, () => {
  beforeAll(async () => {
    image = (await offlineMockImage()).name;
  }, 180_000);

  it("certifies the image like any host, records image, id and digest, and leaves no container behind", async () => {
    const name = uniqueName("ok");
    const out = tempDir("lmcert-container-out-");
    const r = await runCli(["certify", "--container", image, "--name", name, "--json", "--out", out, ...FAST]);
    expect(r.stderr).toMatch(/verdict: CERTIFIED/);
    expect(r.code).toBe(0);
    const cert = certificateFrom(r.stdout);
    expect(cert.host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cert.host.container).toMatchObject({ image, port: 1234, startup: "answered", env: [], cmd: null, models: null, logTail: [] });
    expect(cert.host.container?.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(cert.host.container?.repoDigest ?? "").toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(readFileSync(join(out, name, "latest.json"), "utf8"))).toEqual(cert);
    expect(await lmcertContainers(name)).toEqual([]);
  }, 120_000);

  it("--container-port other than the image's EXPOSE port: certifies on that port (issue 13.3)", async () => {
    const name = uniqueName("port");
    const dir = tempDir("lmcert-container-std-");
    const standard = join(dir, "standard.yaml");
    writeFileSync(standard, "standard: s\nversion: 1\nbind: { address: 0.0.0.0, port: 4321 }\n");
    const r = await runCli([
      "certify", "--container", image, "--name", name, "--json", ...FAST, "--standard", standard,
      "--container-cmd", "mock --preset compliant --host 0.0.0.0 --port 4321", "--container-port", "4321", "--container-timeout", "60000",
    ]);
    const cert = certificateFrom(r.stdout);
    expect(cert.host.container).toMatchObject({ port: 4321, startup: "answered" });
    expect(cert.checks.find((c) => c.id === "bind.port")).toMatchObject({ status: "passed" });
    expect(r.code).toBe(0);
    expect(await lmcertContainers(name)).toEqual([]);
  }, 120_000);

  it("runs --container-cmd with --container-env, and never records the env values", async () => {
    const name = uniqueName("cmd");
    const r = await runCli([
      "certify", "--container", image, "--name", name, "--json", ...FAST,
      "--container-cmd", '["mock","--preset","mac-studio-2","--host","0.0.0.0","--port","1234"]',
      "--container-env", "LMCERT_TEST_SECRET=sk-lm-abcdefgh:12345678",
    ]);
    expect(r.code).toBe(1);
    const cert = certificateFrom(r.stdout);
    expect(cert.checks.find((c) => c.id === "listing.matches-standard")?.observed["behaviour"]).toBe("all-available");
    expect(cert.host.container).toMatchObject({ env: ["LMCERT_TEST_SECRET"], cmd: ["mock", "--preset", "mac-studio-2", "--host", "0.0.0.0", "--port", "1234"] });
    expect(r.stdout).not.toContain("abcdefgh");
    expect(await lmcertContainers(name)).toEqual([]);
  }, 120_000);

  it("--container-models mounts the folder read-only at the models path", async () => {
    const models = tempDir("lmcert-models-");
    mkdirSync(join(models, "lmstudio-community"));
    writeFileSync(join(models, "lmstudio-community", "README"), "models live here\n");
    const name = uniqueName("models");
    const start = await startContainerHost(ContainerTarget.parse({ image, models }), { hostName: name });
    expect(start.ok).toBe(true);
    if (!start.ok) return;
    try {
      const client = await getContainerRuntimeClient();
      const [info] = await client.container.dockerode.listContainers({ filters: { label: [`${HOST_LABEL}=${name}`] } });
      const mounts = (info?.Mounts ?? []).map((m) => ({ source: m.Source, destination: m.Destination, rw: m.RW }));
      expect(mounts).toEqual([{ source: models, destination: "/root/.lmstudio/models", rw: false }]);
      expect(start.host.record.models).toBe(models);
    } finally {
      await start.host.stop();
    }
    expect(await lmcertContainers(name)).toEqual([]);
    const missing = await runCli(["certify", "--container", image, "--container-models", join(models, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--container-models: .*nope is not a folder/);
  }, 120_000);

  it("an image that cannot be pulled: the engine's message, exit 2, nothing left", async () => {
    const name = uniqueName("pull");
    // A registry on a closed loopback port: the pull fails without any traffic leaving the machine.
    const r = await runCli(["certify", "--container", "127.0.0.1:9/lmcert/missing:never", "--name", name, ...FAST]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lmcert: cannot get image 127\.0\.0\.1:9\/lmcert\/missing:never: .*(refused|127\.0\.0\.1:9)/m);
    expect(await lmcertContainers(name)).toEqual([]);
  }, 60_000);

  it("a container that exits before it answers: its last log lines, exit 1, and the certificate says so", async () => {
    const name = uniqueName("exits");
    const r = await runCli(["certify", "--container", image, "--name", name, "--json", ...FAST, "--container-cmd", "mock --preset no-such-preset"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exited \(code 2\) before GET \/lmstudio-greeting answered/);
    expect(r.stderr).toMatch(/\| .*unknown preset "no-such-preset"/);
    const cert = certificateFrom(r.stdout);
    expect(cert.verdict).not.toBe("certified");
    expect(cert.host.url).toBe(`container:${image}`);
    expect(cert.host.container?.startup).toBe("exited");
    expect(cert.host.container?.logTail.join("\n")).toMatch(/unknown preset "no-such-preset"/);
    const greeting = cert.checks.find((c) => c.id === "health.greeting");
    expect(greeting).toMatchObject({ status: "error", required: true });
    expect(greeting?.reason).toMatch(/unknown preset/);
    expect(cert.checks.filter((c) => c.id !== "health.greeting").every((c) => c.status === "skipped")).toBe(true);
    expect(await lmcertContainers(name)).toEqual([]);
  }, 120_000);

  it("exits on a non-default --container-port: 'exited' with its log lines, and a fix with the whole start command", async () => {
    const name = uniqueName("exits-port");
    const r = await runCli([
      "certify", "--container", image, "--name", name, "--json", ...FAST,
      "--container-cmd", "mock --preset no-such-preset --port 4321", "--container-port", "4321",
    ]);
    expect(r.code).toBe(1);
    const cert = certificateFrom(r.stdout);
    expect(cert.host.container).toMatchObject({ port: 4321, startup: "exited" });
    expect(cert.host.container?.logTail.join("\n")).toMatch(/unknown preset "no-such-preset"/);
    const greeting = cert.checks.find((c) => c.id === "health.greeting");
    expect(greeting?.reason).not.toMatch(/wrote no log lines|ports to be bound/);
    // Issue 11.1: the fix starts the server with every flag the (default) standard needs.
    expect(greeting?.remedy).toContain("lms server start --port 1234 --bind 0.0.0.0 --cors");
    expect(r.stderr).not.toMatch(/lms server start --port \d+[^-\d]*$/m);
    expect(await lmcertContainers(name)).toEqual([]);
  }, 120_000);

  it("a port that never opens: the deadline, then the same", async () => {
    const name = uniqueName("closed");
    const r = await runCli([
      "certify", "--container", image, "--name", name, "--json", ...FAST,
      "--container-cmd", "mock --host 127.0.0.1 --port 1234", "--container-timeout", "3000",
    ]);
    expect(r.code).toBe(1);
    const cert = certificateFrom(r.stdout);
    expect(cert.host.container?.startup).toBe("no-answer");
    expect(cert.host.container?.detail).toMatch(/did not answer on container port 1234 within 3000 ms/);
    expect(cert.host.container?.logTail.join("\n")).toMatch(/listening on http:\/\/127\.0\.0\.1:1234/);
    expect(await lmcertContainers(name)).toEqual([]);
  }, 120_000);

  it("Ctrl-C (SIGINT to the real process) while the container starts: exit 2 and the container is removed", async () => {
    const name = uniqueName("sigint");
    const { child, exited, output } = spawnCli(["certify", "--container", image, "--name", name, ...FAST, "--container-cmd", "mock --host 127.0.0.1 --port 1234"]);
    await eventually(async () => (await lmcertContainers(name)).some((c) => c.endsWith("running")), "the container is running");
    child.kill("SIGINT");
    const r = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 30 s after SIGINT; stderr so far: ${output().stderr}`)), 30_000))]);
    expect(r.stderr).toMatch(/interrupted while .* was starting; its container was removed/);
    expect(r.code).toBe(2);
    expect(await lmcertContainers(name)).toEqual([]);
  }, 120_000);

  it("Ctrl-C during the certification: the container is removed too", async () => {
    const name = uniqueName("abort");
    const controller = new AbortController();
    // A slow mock (every request waits) keeps the run in its checks long enough to interrupt it there.
    const running = runCli(["certify", "--container", image, "--name", name, ...FAST, "--container-cmd", "mock --host 0.0.0.0 --port 1234 --load-latency 1"], controller.signal);
    await eventually(async () => (await lmcertContainers(name)).some((c) => c.endsWith("running")), "the container is running");
    controller.abort(new Error("interrupted"));
    await running;
    expect(await lmcertContainers(name)).toEqual([]);
  }, 120_000);

  it("fleet: container: entries sit beside url: hosts, are certified, and leave nothing behind", async () => {
    const dir = tempDir("lmcert-fleet-container-");
    const [a, b] = [uniqueName("fleet-a"), uniqueName("fleet-b")];
    writeFileSync(
      join(dir, "inventory.yaml"),
      [
        "servers:",
        `  - name: ${a}`,
        `    container: ${image}`,
        `  - name: ${b}`,
        "    container:",
        `      image: ${image}`,
        "      port: 1234",
        '      cmd: ["mock", "--preset", "mac-studio-2", "--host", "0.0.0.0", "--port", "1234"]',
        "",
      ].join("\n"),
    );
    const r = await runCli(["fleet", join(dir, "inventory.yaml"), "--out", join(dir, "out"), "--json", ...FAST]);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as { hosts: { name: string; verdict: string }[]; consistency: { findings: string[] } };
    expect(summary.hosts.map((h) => [h.name, h.verdict])).toEqual([[a, "certified"], [b, "not-certified"]]);
    expect(summary.consistency.findings.join("\n")).toMatch(/loaded-only.*all-available|all-available.*loaded-only/);
    const certA = JSON.parse(readFileSync(join(dir, "out", a, "latest.json"), "utf8")) as Certificate;
    expect(certA.host.container?.image).toBe(image);
    expect([...(await lmcertContainers(a)), ...(await lmcertContainers(b))]).toEqual([]);
  }, 180_000);
});
