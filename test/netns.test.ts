/** bind.* across real Linux network namespaces: a server host and a client host joined by a veth pair. */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Certificate } from "../contracts/certificate.ts";
import { createNetnsPair, netnsUnavailableReason, runInNs, startInNs, type NetnsPair } from "./helpers/netns.ts";

const BIN = join(import.meta.dirname, "..", "bin", "lmcert.js");
const unavailable = netnsUnavailableReason();
/** Each test starts up to three CLI processes in turn; on a busy 2-core machine that takes more than the default. */
const SPAWN_TIMEOUT_MS = 60_000;

describe.skipIf(unavailable !== null)(`bind across network namespaces${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let pair: NetnsPair;
  beforeAll(() => {
    pair = createNetnsPair();
  });
  afterAll(() => pair?.destroy());

  /** The mock LM Studio on the server host, listening on `host`:1234 (port 1234 is free inside the namespace). */
  async function serve(host: string): Promise<void> {
    const child: ChildProcess = await startInNs(pair.server.ns, [process.execPath, BIN, "mock", "--preset", "compliant", "--port", "1234", "--host", host], /listening on/);
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          child.once("close", () => resolve());
          child.kill("SIGINT");
        }),
    );
  }

  async function certifyFrom(ns: string, url: string, ...extra: string[]): Promise<{ code: number; cert: Certificate }> {
    const r = await runInNs(ns, [process.execPath, BIN, "certify", url, "--json", "--no-browser", "--timeout", "1500", ...extra]);
    return { code: r.code, cert: JSON.parse(r.stdout) as Certificate };
  }

  const status = (cert: Certificate, id: string) => cert.checks.find((c) => c.id === id)?.status;

  it("bound to 0.0.0.0: a client on the other host certifies bind.* (and the host) with the default standard", async () => {
    await serve("0.0.0.0");
    const { code, cert } = await certifyFrom(pair.client.ns, `http://${pair.server.address}:1234`);
    expect(status(cert, "bind.port")).toBe("passed");
    expect(status(cert, "bind.reachable-off-loopback")).toBe("passed");
    expect([code, cert.verdict]).toEqual([0, "certified"]);
  }, SPAWN_TIMEOUT_MS);

  it("bound to 0.0.0.0: on the server itself (--local, loopback URL) every bind check passes", async () => {
    await serve("0.0.0.0");
    const { cert } = await certifyFrom(pair.server.ns, "http://127.0.0.1:1234", "--local", "--lmstudio-home", "/nonexistent");
    expect(status(cert, "bind.reachable-off-loopback")).toBe("passed");
    expect(cert.checks.find((c) => c.id === "bind.reachable-off-loopback")?.observed["answered"]).toEqual([pair.server.address]);
    expect(status(cert, "bind.all-interfaces")).toBe("passed");
  }, SPAWN_TIMEOUT_MS);

  it("bound to 127.0.0.1: the client cannot connect, and on the server it fails as 'bound to loopback only'", async () => {
    await serve("127.0.0.1");
    const remote = await certifyFrom(pair.client.ns, `http://${pair.server.address}:1234`);
    expect(remote.code).toBe(1);
    expect(remote.cert.checks[0]?.reason).toMatch(/Connection refused/);
    expect(remote.cert.checks.filter((c) => c.status === "passed")).toEqual([]);
    const local = await certifyFrom(pair.server.ns, "http://127.0.0.1:1234", "--local", "--lmstudio-home", "/nonexistent");
    const reachable = local.cert.checks.find((c) => c.id === "bind.reachable-off-loopback");
    expect(reachable?.status).toBe("failed");
    expect(reachable?.reason).toMatch(/^bound to loopback only: connections to 198\.18\.77\.1 on port 1234 were refused/);
    expect(status(local.cert, "bind.all-interfaces")).toBe("failed");
    expect(local.cert.verdict).toBe("not-certified");
  }, SPAWN_TIMEOUT_MS);

  it("bound to one specific address: reachable there, but --local reports 'not all interfaces'", async () => {
    await serve(pair.server.address);
    const { cert } = await certifyFrom(pair.server.ns, `http://${pair.server.address}:1234`, "--local", "--lmstudio-home", "/nonexistent");
    expect(status(cert, "bind.reachable-off-loopback")).toBe("passed");
    const all = cert.checks.find((c) => c.id === "bind.all-interfaces");
    expect(all?.status).toBe("failed");
    expect(all?.reason).toBe("bound to 198.18.77.1 only: not all interfaces (other interfaces, e.g. after a VPN connects, cannot reach it)");
  }, SPAWN_TIMEOUT_MS);
});
