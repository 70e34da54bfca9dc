/** bind.*: real sockets on loopback (0.0.0.0 vs 127.0.0.1 vs one address), and the socket-table parsers. */
import { describe, expect, it } from "vitest";
import { parseLsof, parseProcNetTcp } from "../harness/net/listening-sockets.ts";
import { isLoopbackHost } from "../harness/net/addresses.ts";
import { certifyHost } from "../harness/certify-host.ts";
import { DEFAULT_STANDARD } from "../harness/standard-file.ts";
import { checks } from "../suites/index.ts";
import { certify, check, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

describe("bind.reachable-off-loopback (loopback URL: lmcert on the server itself)", () => {
  it("passes when the server is bound to 0.0.0.0", async () => {
    const record = check(await certify((await mockHost("compliant", { bindHost: "0.0.0.0" })).url), "bind.reachable-off-loopback");
    expect(record.status).toBe("passed");
    expect(record.observed["answered"]).toEqual([LAN_STAND_IN]);
  });

  it("fails as 'bound to loopback only' with the Serve on Local Network remedy when bound to 127.0.0.1", async () => {
    const cert = await certify((await mockHost("compliant", { bindHost: "127.0.0.1" })).url);
    const record = check(cert, "bind.reachable-off-loopback");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(/^bound to loopback only: connections to 127\.0\.0\.2 on port \d+ were refused/);
    expect(record.remedy).toMatch(/"Serve on Local Network".*lms server stop && lms server start --port \d+ --bind 0\.0\.0\.0 --cors/);
    expect(cert.verdict).toBe("not-certified");
  });

  it("is inconclusive when there is nothing to probe from here", async () => {
    const mock = await mockHost("compliant");
    const cert = await certifyHost({
      host: { name: "h", url: mock.url },
      standard: { ...DEFAULT_STANDARD, bind: { address: "0.0.0.0", port: mock.port } },
      checks,
      probeAddresses: [],
      chromium: { path: null, reason: "off" },
      only: ["health.greeting", "bind.reachable-off-loopback"],
    });
    expect(check(cert, "bind.reachable-off-loopback").status).toBe("inconclusive");
  });
});

describe("bind.port", () => {
  it("fails when nothing answers on the standard's port, naming both ports", async () => {
    const mock = await mockHost("compliant");
    const record = check(await certify(mock.url, { standard: { bind: { address: "0.0.0.0", port: 1 } } }), "bind.port");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(new RegExp(`nothing LM Studio answers on port 1; the server listens on ${mock.port}`));
    expect(record.remedy).toMatch(/Server Port → 1/);
  });

  it("passes when the URL uses another port but LM Studio also answers on the standard's", async () => {
    const standardHost = await mockHost("compliant");
    const other = await mockHost("compliant");
    const record = check(await certify(other.url, { standard: { bind: { address: "0.0.0.0", port: standardHost.port } } }), "bind.port");
    expect(record.status).toBe("passed");
    expect(record.reason).toMatch(/with the same models and loaded instances$/);
  });

  it("fails when ANOTHER server answers on the standard's port: a different loaded set, or a different listing", async () => {
    const other = await mockHost("compliant");
    const differentLoaded = await mockHost("compliant", { loaded: [{ model: "qwen2.5-0.5b-instruct" }] });
    const a = check(await certify(other.url, { standard: { bind: { address: "0.0.0.0", port: differentLoaded.port } } }), "bind.port");
    expect(a.status).toBe("failed");
    expect(a.reason).toMatch(new RegExp(`^port ${differentLoaded.port} answers, but as a different LM Studio server than port ${other.port}: loaded instances differ \\(only on the URL's port: text-embedding-nomic-embed-text-v1\\.5; only on the standard's: nothing\\)`));
    expect(a.remedy).toMatch(new RegExp(`^Another LM Studio server holds port ${differentLoaded.port} at this address .*Server Port → ${differentLoaded.port}, or \`lms server stop && lms server start --port ${differentLoaded.port} --bind 0\\.0\\.0\\.0 --cors\``));
    const jitOn = await mockHost("mac-studio-2");
    const b = check(await certify(other.url, { standard: { bind: { address: "0.0.0.0", port: jitOn.port } } }), "bind.port");
    expect(b.status).toBe("failed");
    expect(b.reason).toMatch(/\/v1\/models differ/);
  });
});

describe("bind.all-interfaces (--local, reads the kernel's socket table)", () => {
  const local = { lmstudioHome: "/nonexistent-lmstudio-home" };
  it.runIf(process.platform === "linux")("passes for 0.0.0.0, fails for 127.0.0.1 and another loopback address", async () => {
    const wildcard = check(await certify((await mockHost("compliant", { bindHost: "0.0.0.0" })).url, { local }), "bind.all-interfaces");
    expect(wildcard.status).toBe("passed");
    expect(wildcard.observed["listening"]).toEqual(["0.0.0.0"]);
    const loop = check(await certify((await mockHost("compliant", { bindHost: "127.0.0.1" })).url, { local }), "bind.all-interfaces");
    expect([loop.status, loop.reason]).toEqual(["failed", "bound to loopback only (127.0.0.1)"]);
    const one = await mockHost("compliant", { bindHost: "127.0.0.3" });
    const single = check(await certify(one.url.replace("127.0.0.1", "127.0.0.3"), { local }), "bind.all-interfaces");
    expect([single.status, single.reason]).toEqual(["failed", "bound to loopback only (127.0.0.3)"]);
  });

  it("is skipped without --local", async () => {
    expect(check(await certify((await mockHost("compliant")).url), "bind.all-interfaces").status).toBe("skipped");
  });
});

describe("socket table parsers", () => {
  it("reads LISTEN entries for the port from /proc/net/tcp and tcp6", () => {
    const tcp = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 00000000:04D2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0",
      "   1: 0100007F:04D2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0",
      "   2: 0202000A:04D2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0",
      "   3: 0100007F:04D2 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 4 1 0 100 0 0 10 0",
      "   4: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0 100 0 0 10 0",
    ].join("\n");
    expect(parseProcNetTcp(tcp, 1234, 4)).toEqual(["0.0.0.0", "127.0.0.1", "10.0.2.2"]);
    const tcp6 = [
      "  sl  local_address                         remote_address                        st",
      "   0: 00000000000000000000000000000000:04D2 00000000000000000000000000000000:0000 0A",
      "   1: 00000000000000000000000001000000:04D2 00000000000000000000000000000000:0000 0A",
    ].join("\n");
    expect(parseProcNetTcp(tcp6, 1234, 6)).toEqual(["::", "::1"]);
  });

  it("reads lsof's NAME column on macOS", () => {
    const out = [
      "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME",
      "LM\\x20Stu 123 me   40u  IPv4 0x1      0t0  TCP *:1234 (LISTEN)",
      "LM\\x20Stu 123 me   41u  IPv6 0x2      0t0  TCP [::1]:1234 (LISTEN)",
      "node    456 me   22u  IPv4 0x3      0t0  TCP 127.0.0.1:1234 (LISTEN)",
    ].join("\n");
    expect(parseLsof(out)).toEqual(["*", "::1", "127.0.0.1"]);
  });

  it("knows loopback when it sees it", () => {
    expect(["127.0.0.1", "127.9.9.9", "localhost", "[::1]", "::ffff:127.0.0.1"].every(isLoopbackHost)).toBe(true);
    expect(["10.0.0.102", "192.168.1.5", "::", "example.test"].some(isLoopbackHost)).toBe(false);
  });
});
