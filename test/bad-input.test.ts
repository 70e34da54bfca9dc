/** Bad hosts and bad input: a clear error every time, never `passed` for anything that could not be checked. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../contracts/certificate.ts";
import type { MockFault } from "../fixtures/mock/config.ts";
import { certify, closedPortUrl, mockHost, plainHost } from "./helpers/hosts.ts";
import { runCli } from "./helpers/cli.ts";

/** Checks that passed although their evidence includes the broken exchange would be a lie. */
function expectNothingPassedOnBrokenSurface(cert: Certificate): void {
  const passedOnBroken = cert.checks.filter(
    (c) => c.status === "passed" && c.evidence.some((e) => e.error !== null || (e.status !== null && e.status >= 500)),
  );
  expect(passedOnBroken.map((c) => c.id)).toEqual([]);
  expect(cert.verdict).not.toBe("certified");
}

describe("broken hosts are never certified", () => {
  it("a closed port: every check that ran is an error or skipped", async () => {
    const cert = await certify(await closedPortUrl());
    expect(cert.checks.map((c) => c.status).filter((s) => s !== "error" && s !== "skipped")).toEqual([]);
    expect(cert.checks[0]?.reason).toMatch(/Connection refused/);
    expect(cert.verdict).toBe("incomplete");
  });

  const faults: [string, MockFault][] = [
    ["a hung server (timeout)", { kind: "hang" }],
    ["a connection reset mid-body", { kind: "reset-mid-body" }],
    ["an HTTP 500", { kind: "status", status: 500 }],
    ["malformed JSON", { kind: "malformed-json" }],
    ["a 50 MB body", { kind: "huge-body", bytes: 50 * 1024 * 1024 }],
    ["an HTML page", { kind: "html" }],
    ["JSON with the wrong content type", { kind: "wrong-content-type" }],
  ];

  it.each(faults)("%s on every route", async (_name, fault) => {
    const mock = await mockHost("compliant", { faults: [{ fault }] });
    const cert = await certify(mock.url, { timeoutMs: 300 });
    expect(cert.checks.filter((c) => c.status === "passed").map((c) => c.id)).toEqual([]);
    expect(cert.verdict).not.toBe("certified");
  });

  it.each(faults)("%s on /v1/models only: listing is not passed", async (_name, fault) => {
    const mock = await mockHost("compliant", { faults: [{ fault, paths: ["/v1/models"] }] });
    const cert = await certify(mock.url, { timeoutMs: 300 });
    const status = (id: string) => cert.checks.find((c) => c.id === id)?.status;
    expect(status("surfaces.discovered")).toBe("error");
    expect(status("listing.matches-standard")).toBe("skipped");
    expectNothingPassedOnBrokenSurface(cert);
  });

  it("a JSON API that is not LM Studio", async () => {
    const url = await plainHost((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ service: "inventory-api", path: req.url, items: [] }));
    });
    const cert = await certify(url);
    expect(cert.checks.filter((c) => c.status === "passed").map((c) => c.id)).toEqual([]);
    expect(cert.checks.find((c) => c.id === "surfaces.discovered")?.reason).toMatch(/not an LM Studio server/);
  });
});

describe("bad command-line input exits 2 with an error that names the problem", () => {
  it("an invalid URL", async () => {
    const r = await runCli(["certify", "not a url"]);
    expect(r.code).toBe(2);
    // A positional is named as typed (`<url>`); there is no --url flag.
    expect(r.stderr).toContain('<url>: "not a url" is not a URL: use e.g. http://127.0.0.1:1234');
    expect(r.stderr).not.toContain("--url");
  });

  it("an unknown flag", async () => {
    const r = await runCli(["certify", "http://127.0.0.1:1", "--frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--frobnicate'/);
  });

  it("a missing standard file", async () => {
    const r = await runCli(["certify", "http://127.0.0.1:1", "--standard", "/nonexistent/team.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Standard file: no such file: /nonexistent/team.yaml");
    expect(r.stderr).not.toContain("ENOENT");
  });

  it("an inventory whose standard cannot be read names the inventory line as well as the standard's path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lmcert-"));
    const inventory = join(dir, "inventory.yaml");
    writeFileSync(inventory, "servers:\n  - name: a\n    url: http://127.0.0.1:1\nstandard: \" \"\n");
    const r = await runCli(["fleet", inventory]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${inventory}:4:11: standard: Standard file: no such file: ${join(dir, " ")}`);
  });

  it("an invalid standard file names the field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lmcert-"));
    const file = join(dir, "team.yaml");
    writeFileSync(file, "standard: team\nversion: 1\nlisting: sometimes\n");
    const r = await runCli(["certify", "http://127.0.0.1:1", "--standard", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Standard file ${file} is invalid`);
    expect(r.stderr).toMatch(/listing: Invalid option/);
  });

  it("an unset token variable", async () => {
    const r = await runCli(["certify", "http://127.0.0.1:1", "--token-env", "LMCERT_TEST_UNSET_TOKEN"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LMCERT_TEST_UNSET_TOKEN is not set/);
  });

  it("an unknown check id and an unknown command", async () => {
    expect((await runCli(["certify", "http://127.0.0.1:1", "--only", "listing.nope"])).stderr).toMatch(/unknown check id\(s\): listing\.nope/);
    const r = await runCli(["certifx"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "certifx"/);
  });
});
