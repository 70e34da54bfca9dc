/**
 * `lmcert record` → `lmcert mock --replay` → `lmcert certify`: a real host's behaviour, captured as a HAR file,
 * comes back as a fixture that certifies the same way. And every recording in fixtures/recordings/ still does.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { Har } from "../contracts/har.ts";
import { startReplay } from "../fixtures/replay/replay-server.ts";
import type { PresetName } from "../fixtures/mock/presets.ts";
import { main } from "../harness/cli/main.ts";
import { loadHarFile } from "../harness/record/load-har.ts";
import { runCli } from "./helpers/cli.ts";
import { closedPortUrl, mockHost } from "./helpers/hosts.ts";
import { certifyOutcome, recordWithCli, standardFor, type ExpectedOutcome } from "./helpers/recordings.ts";

const RECORDINGS = join(import.meta.dirname, "..", "fixtures", "recordings");
const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), "lmcert-har-")), name);

/** Serves a recording on 0.0.0.0 (like the recorded hosts, which serve on the network) for this test. */
async function replay(har: Har) {
  const running = await startReplay(har, { host: "0.0.0.0" });
  onTestFinished(() => running.close());
  return running;
}

describe("record, replay, certify", () => {
  const hosts: readonly { name: PresetName; version?: string }[] = [
    { name: "mac-studio-1" },
    { name: "mac-studio-2" },
    { name: "compliant" },
    // Before 0.4 lmcert reads the SDK websocket too: the recording carries its state, the replay serves it.
    { name: "mac-studio-1", version: "0.3.20" },
    { name: "mac-studio-2", version: "0.3.20" },
    { name: "mac-studio-1", version: "0.3.5" },
    { name: "compliant", version: "0.4.18" },
  ];
  for (const { name, version } of hosts) {
    it(`${name}${version ? ` as LM Studio ${version}` : ""}: the replay certifies as the recorded host did (verdict, listing, every check)`, async () => {
      const host = await mockHost(name, version ? { version } : {});
      const original = await certifyOutcome(host.url, standardFor(host.url));
      const file = tempFile(`${name}.har`);
      const recorded = await recordWithCli(host.url, file, standardFor(host.url));
      expect(recorded.code).toBe(0);
      expect(recorded.stderr).toMatch(new RegExp(`recording: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(\\d+ exchanges; tokens and Authorization headers redacted\\)\\. Attach .* to the bug report\\.`));
      expect(recorded.stderr).toContain(`Report it in lmcert's issue tracker with this file and the certificate JSON of the host (\`lmcert certify ${host.url} --json > cert.json\`).`);
      const har = loadHarFile(file);
      expect(har.log.version).toBe("1.2");
      expect(har.log.creator.name).toBe("lmcert");
      const served = await replay(har);
      const replayed = await certifyOutcome(served.url, standardFor(served.url));
      expect(replayed).toEqual(original);
      expect(original.listing).toBe(name === "mac-studio-2" ? "all-available" : "loaded-only");
      expect(replayed.lmstudioVersion).toBe(original.lmstudioVersion);
      // The SDK's answers ride along: downloads and loaded instances where lmcert relied on the SDK (before 0.4).
      expect(har.log._lmcertSdk?.downloaded !== undefined).toBe(version?.startsWith("0.3.") ?? false);
    }, 30_000);
  }

  it("probes of other addresses in the recording (refused, another port) never reach the replay's clients: same verdict (issue 11 review)", async () => {
    const host = await mockHost("mac-studio-1");
    const original = await certifyOutcome(host.url, standardFor(host.url));
    const file = tempFile("probes.har");
    expect((await recordWithCli(host.url, file, standardFor(host.url))).code).toBe(0);
    const har = loadHarFile(file);
    expect(har.log._lmcertOrigin).toBe(new URL(host.url).origin);
    // What an operator's recording holds beside the host's own greeting (README flow on a real machine): an IPv6
    // interface that refused, and bind.port's probe of the standard's port on loopback. Recorded right after the
    // host's greeting, so an in-order replay hands them to the next greeting requests.
    const greeting = har.log.entries.find((e) => new URL(e.request.url).pathname === "/lmstudio-greeting")!;
    const refused = (url: string) => ({
      ...greeting,
      request: { ...greeting.request, url },
      response: { ...greeting.response, status: 0, statusText: "", headers: [], content: { size: 0, mimeType: "x-unknown" }, bodySize: -1, _error: `Connection refused (nothing is listening there): GET ${url}` },
    });
    const at = har.log.entries.indexOf(greeting) + 1;
    har.log.entries.splice(at, 0, refused(`http://[fd00::2]:${host.port}/lmstudio-greeting`), refused("http://127.0.0.1:1234/lmstudio-greeting"));
    // Each exchange says which address it went to.
    expect(greeting.serverIPAddress).toBe("127.0.0.1");
    const served = await replay(Har.parse(har));
    // Any interface of the replay is the replayed host: the greeting answers every time, on loopback and off it.
    for (const address of ["127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2"]) {
      const res = await fetch(`http://${address}:${served.port}/lmstudio-greeting`);
      expect(res.status).toBe(greeting.response.status);
    }
    const replayed = await certifyOutcome(served.url, standardFor(served.url));
    expect(replayed).toEqual(original);
    expect(replayed.checks["bind.reachable-off-loopback"]).toBe("passed");
  }, 30_000);

  it("a host that answered once and timed out once: the replay answers (a recorded failure never lands on a live connection)", async () => {
    const host = await mockHost("compliant");
    const file = tempFile("flaky.har");
    expect((await recordWithCli(host.url, file, standardFor(host.url))).code).toBe(0);
    const har = loadHarFile(file);
    const greeting = har.log.entries.find((e) => new URL(e.request.url).pathname === "/lmstudio-greeting")!;
    const timedOut = { ...greeting, response: { ...greeting.response, status: 0, headers: [], content: { size: 0, mimeType: "x-unknown" }, _error: "timed out after 2000 ms" } };
    har.log.entries.splice(har.log.entries.indexOf(greeting), 0, timedOut);
    const served = await replay(har);
    for (let i = 0; i < 3; i++) expect((await fetch(`${served.url}/lmstudio-greeting`)).status).toBe(greeting.response.status);
  });

  it("a token-requiring host: the recording holds no trace of the token, and the replay certifies the same", async () => {
    const token = "sk-lm-AbCdEfGh:Q1w2E3r4T5y6U7i8O9p0";
    const host = await mockHost("compliant", { authToken: token });
    const standard = standardFor(host.url, { auth: "token" });
    const original = await certifyOutcome(host.url, standard, token);
    const file = tempFile("token-host.har");
    process.env["LMCERT_TEST_RECORD_TOKEN"] = token;
    onTestFinished(() => void delete process.env["LMCERT_TEST_RECORD_TOKEN"]);
    const recorded = await recordWithCli(host.url, file, standard, ["--token-env", "LMCERT_TEST_RECORD_TOKEN"]);
    expect(recorded.code).toBe(0);
    const text = readFileSync(file, "utf8");
    // Neither the token nor either half of it (the SDK's identifier and passkey) appears anywhere.
    for (const secret of [token, "AbCdEfGh", "Q1w2E3r4T5y6U7i8O9p0"]) expect(text).not.toContain(secret);
    const har = loadHarFile(file);
    const authorization = har.log.entries.flatMap((e) => e.request.headers).filter((h) => h.name === "authorization");
    expect(authorization.length).toBeGreaterThan(0);
    expect(new Set(authorization.map((h) => h.value))).toEqual(new Set(["[redacted]"]));
    // The recording has both answers: 401 without the token, 200 with it.
    expect(har.log.entries.some((e) => e.response.status === 401)).toBe(true);
    const served = await replay(har);
    const replayed = await certifyOutcome(served.url, standardFor(served.url, { auth: "token" }), "sk-lm-Replayed:AnyTokenWillDoHere12");
    expect(replayed).toEqual(original);
    expect(replayed.checks["auth.required"]).toBe("passed");
  }, 30_000);
});

describe("lmcert record: the command line", () => {
  it("--help tells what it does and where the file goes; a missing <url> is a usage error", async () => {
    const help = await runCli(["record", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: lmcert record <url> \[--out host\.har\]/);
    expect((await runCli(["--help"])).stdout).toMatch(/record <url> +run the read-only checks and save every exchange as a HAR file/);
    const missing = await runCli(["record"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/lmcert record: expected exactly one <url>/);
    // An --out that cannot be written is refused before the host is asked anything.
    const host = await mockHost("compliant");
    const nowhere = await runCli(["record", host.url, "--out", "/nonexistent-folder/host.har"]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/--out \/nonexistent-folder\/host\.har: no such folder/);
    expect(host.requests).toEqual([]);
  });

  it("a host that never answers: the recording says so, and its replay answers nothing either", async () => {
    const url = await closedPortUrl();
    const file = tempFile("dead.har");
    const r = await runCli(["record", url, "--out", file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: http:\/\/127\.0\.0\.1:\d+ never answered/);
    const har = loadHarFile(file);
    expect(har.log.entries.length).toBeGreaterThan(0);
    expect(har.log.entries.every((e) => e.response.status === 0 && /Connection refused/.test(e.response._error ?? ""))).toBe(true);
    const served = await replay(har);
    await expect(fetch(`${served.url}/lmstudio-greeting`)).rejects.toThrow();
  });

  it("nothing is loaded or unloaded while recording", async () => {
    const host = await mockHost("mac-studio-1");
    const before = host.state.instances.map((i) => i.id);
    expect((await recordWithCli(host.url, tempFile("h.har"), standardFor(host.url))).code).toBe(0);
    expect(host.requests.some((r) => r.method === "POST" && /\/models\/(load|unload)$/.test(r.path))).toBe(false);
    expect(host.state.instances.map((i) => i.id)).toEqual(before);
  });
});

describe("lmcert mock --replay", () => {
  it("serves the recorded status, headers and body for the same method, path and query; the unknown-endpoint answer otherwise", async () => {
    const host = await mockHost("mac-studio-1");
    const file = tempFile("host.har");
    expect((await recordWithCli(host.url, file, standardFor(host.url))).code).toBe(0);
    const har = loadHarFile(file);
    const entry = har.log.entries.find((e) => e.request.method === "GET" && new URL(e.request.url).pathname === "/api/v1/models" && !e.request.headers.some((h) => h.name === "origin"))!;
    // Through the CLI, as an operator starts it: --port 0, the URL read from its first line.
    let stdout = "";
    const controller = new AbortController();
    const running = main(["mock", "--replay", file, "--port", "0"], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, signal: controller.signal });
    onTestFinished(async () => {
      controller.abort();
      await running;
    });
    const deadline = Date.now() + 5_000;
    while (!/http:\/\/\S+:\d+/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const url = /(http:\/\/\S+:\d+)/.exec(stdout)![1]!;
    expect(stdout).toMatch(/replaying .*host\.har \(\d+ recorded exchanges\)/);

    const res = await fetch(`${url}/api/v1/models`, { headers: { accept: "application/json" } });
    expect(res.status).toBe(entry.response.status);
    expect(await res.text()).toBe(entry.response.content.text);
    for (const { name, value } of entry.response.headers.filter((h) => !["connection", "keep-alive", "date"].includes(h.name))) {
      expect(res.headers.get(name)).toBe(value);
    }
    const unknown = await fetch(`${url}/v1/embeddings?x=1`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({ error: "Unexpected endpoint or method. (POST /v1/embeddings)" });
    // Same path, method not recorded: unknown endpoint too.
    expect(await (await fetch(`${url}/api/v1/models`, { method: "DELETE" })).json()).toEqual({ error: "Unexpected endpoint or method. (DELETE /api/v1/models)" });
  }, 30_000);

  it("--host 0.0.0.0: the banner names the address it listens on, and a URL that reaches it", async () => {
    const file = tempFile("banner.har");
    const host = await mockHost("compliant");
    expect((await recordWithCli(host.url, file, standardFor(host.url))).code).toBe(0);
    let stdout = "";
    const controller = new AbortController();
    const running = main(["mock", "--replay", file, "--port", "0", "--host", "0.0.0.0"], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, signal: controller.signal });
    onTestFinished(async () => {
      controller.abort();
      await running;
    });
    const deadline = Date.now() + 5_000;
    while (!/try: curl/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(stdout).toMatch(/replaying .*banner\.har \(\d+ recorded exchanges\) on http:\/\/0\.0\.0\.0:\d+\n/);
    expect(stdout).toMatch(/serving on every interface/);
    const port = /0\.0\.0\.0:(\d+)/.exec(stdout)![1]!;
    expect(stdout).toContain(`try: curl http://127.0.0.1:${port}/v1/models`);
    expect((await fetch(`http://127.0.0.2:${port}/lmstudio-greeting`)).status).toBe(200);
  }, 30_000);

  it("serves a HAR exported by a browser's devtools (pages, custom _fields, base64 bodies)", async () => {
    const body = JSON.stringify({ lmstudio: true });
    const har = Har.parse({
      log: {
        version: "1.2",
        creator: { name: "WebInspector", version: "537.36" },
        pages: [{ id: "page_1", startedDateTime: "2026-11-26T01:00:00.000Z", title: "http://10.0.0.102:1234/", pageTimings: {} }],
        entries: [
          {
            _initiator: { type: "script" },
            _priority: "High",
            pageref: "page_1",
            startedDateTime: "2026-11-26T01:00:00.123+00:00",
            time: 3.2,
            request: {
              method: "GET",
              url: "http://10.0.0.102:1234/lmstudio-greeting",
              httpVersion: "http/1.1",
              headers: [{ name: "Accept", value: "*/*" }],
              queryString: [],
              cookies: [],
              headersSize: 120,
              bodySize: 0,
            },
            response: {
              status: 200,
              statusText: "OK",
              httpVersion: "http/1.1",
              headers: [{ name: "Content-Type", value: "application/json; charset=utf-8" }, { name: "X-Powered-By", value: "Express" }],
              cookies: [],
              content: { size: body.length, mimeType: "application/json", text: Buffer.from(body).toString("base64"), encoding: "base64" },
              redirectURL: "",
              headersSize: 200,
              bodySize: body.length,
              _transferSize: 300,
            },
            cache: {},
            timings: { blocked: 0.5, dns: -1, ssl: -1, connect: -1, send: 0.1, wait: 2.4, receive: 0.2, _blocked_queueing: 0.3 },
            serverIPAddress: "10.0.0.102",
            connection: "1234",
          },
        ],
      },
    });
    const served = await replay(har);
    const res = await fetch(`${served.url}/lmstudio-greeting`);
    expect(res.headers.get("x-powered-by")).toBe("Express");
    expect(await res.json()).toEqual({ lmstudio: true });
  });

  it("a bad HAR file is a usage error naming the file and the field (exit 2)", async () => {
    const file = tempFile("broken.har");
    writeFileSync(file, JSON.stringify({ log: { version: "1.2", creator: { name: "x", version: "1" }, entries: [{ startedDateTime: "yesterday" }] } }));
    const r = await runCli(["mock", "--replay", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`HAR recording ${file} is invalid`);
    expect(r.stderr).toMatch(/log\.entries\.0\.startedDateTime: /);
    const notJson = tempFile("not.har");
    writeFileSync(notJson, "<html>");
    const r2 = await runCli(["mock", "--replay", notJson]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`HAR recording ${notJson} is not JSON`);
    const missing = await runCli(["mock", "--replay", "/nonexistent/host.har"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\/nonexistent\/host\.har/);
  });
});

describe("fixtures/recordings: every recorded host still certifies as it did", () => {
  const names = readdirSync(RECORDINGS).filter((f) => f.endsWith(".har")).map((f) => f.slice(0, -".har".length));

  it("there are recordings to certify", () => {
    expect(names.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of names) {
    it(name, async () => {
      const expected = JSON.parse(readFileSync(join(RECORDINGS, `${name}.expected.json`), "utf8")) as ExpectedOutcome & {
        standard?: { auth?: "none" | "token" };
        lmstudioVersion?: string | null;
      };
      const served = await replay(loadHarFile(join(RECORDINGS, `${name}.har`)));
      const token = expected.standard?.auth === "token" ? "sk-lm-Replayed:AnyTokenWillDoHere12" : undefined;
      const outcome = await certifyOutcome(served.url, standardFor(served.url, expected.standard ?? {}), token);
      // Checks added after a recording was made are not in its expected file; every check that is, must match.
      const checks = Object.fromEntries(Object.keys(expected.checks).map((id) => [id, outcome.checks[id]]));
      expect({ verdict: outcome.verdict, listing: outcome.listing, checks }).toEqual({
        verdict: expected.verdict,
        listing: expected.listing,
        checks: expected.checks,
      });
      if (expected.lmstudioVersion !== undefined) expect(outcome.lmstudioVersion).toBe(expected.lmstudioVersion);
    }, 30_000);
  }
});
