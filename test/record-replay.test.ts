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
import { mockHost } from "./helpers/hosts.ts";
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
  for (const name of ["mac-studio-1", "mac-studio-2", "compliant"] as const satisfies readonly PresetName[]) {
    it(`${name}: the replay certifies as the recorded host did (verdict, listing behaviour, every check)`, async () => {
      const host = await mockHost(name);
      const original = await certifyOutcome(host.url, standardFor(host.url));
      const file = tempFile(`${name}.har`);
      const recorded = await recordWithCli(host.url, file, standardFor(host.url));
      expect(recorded.code).toBe(0);
      expect(recorded.stderr).toMatch(new RegExp(`recording: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(\\d+ exchanges; tokens and Authorization headers redacted\\)\\. Attach .* to the bug report\\.`));
      const har = loadHarFile(file);
      expect(har.log.version).toBe("1.2");
      expect(har.log.creator.name).toBe("lmcert");
      const served = await replay(har);
      const replayed = await certifyOutcome(served.url, standardFor(served.url));
      expect(replayed).toEqual(original);
      expect(original.listing).toBe(name === "mac-studio-2" ? "all-available" : "loaded-only");
    }, 30_000);
  }

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
    const replayed = await certifyOutcome(served.url, standardFor(served.url, { auth: "token" }), "sk-lm-anything:whatever-the-replay-gets");
    expect(replayed).toEqual(original);
    expect(replayed.checks["auth.required"]).toBe("passed");
  }, 30_000);
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
      const expected = JSON.parse(readFileSync(join(RECORDINGS, `${name}.expected.json`), "utf8")) as ExpectedOutcome & { standard?: { auth?: "none" | "token" } };
      const served = await replay(loadHarFile(join(RECORDINGS, `${name}.har`)));
      const token = expected.standard?.auth === "token" ? "sk-lm-replayed:any-token-will-do-here" : undefined;
      const outcome = await certifyOutcome(served.url, standardFor(served.url, expected.standard ?? {}), token);
      expect({ verdict: outcome.verdict, listing: outcome.listing, checks: outcome.checks }).toEqual({
        verdict: expected.verdict,
        listing: expected.listing,
        checks: expected.checks,
      });
    }, 30_000);
  }
});
