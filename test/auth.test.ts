/** auth.*: the host asks for a token exactly when the standard says so; the token never leaks anywhere. */
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findChromium } from "../harness/browser/find-chromium.ts";
import { runCli } from "./helpers/cli.ts";
import { writeInventory } from "./helpers/fleet.ts";
import { certify, check, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

const TOKEN = "sk-lm-Ab12Cd34:Ef56Gh78Ij90Kl12Mn34";
const tokenStandard = { auth: "token" as const };

describe("auth under `auth: token`", () => {
  it("passes auth.required and auth.token-accepted on a host with Require Authentication on", async () => {
    const cert = await certify((await mockHost("compliant", { authToken: TOKEN })).url, { token: TOKEN, standard: tokenStandard });
    expect(check(cert, "auth.required")).toMatchObject({ status: "passed", required: true });
    expect(check(cert, "auth.token-accepted")).toMatchObject({ status: "passed", required: true });
    expect(check(cert, "auth.not-required").status).toBe("skipped");
    expect(cert.verdict).toBe("certified");
  });

  it("auth.required fails, with the Require Authentication remedy, when the host answers without a token", async () => {
    const record = check(await certify((await mockHost("compliant")).url, { token: TOKEN, standard: tokenStandard }), "auth.required");
    expect(record.status).toBe("failed");
    expect(record.reason).toMatch(/answered without a token: \/v1\/models, \/api\/v1\/models/);
    expect(record.remedy).toMatch(/turn on "Require Authentication"/);
  });

  it("auth.token-accepted fails for a wrong token and is inconclusive without one", async () => {
    const mock = await mockHost("compliant", { authToken: TOKEN });
    expect(check(await certify(mock.url, { token: "sk-lm-wrong:token", standard: tokenStandard }), "auth.token-accepted").status).toBe("failed");
    const none = check(await certify(mock.url, { standard: tokenStandard }), "auth.token-accepted");
    expect([none.status, none.remedy]).toEqual(["inconclusive", expect.stringMatching(/--token-env/)]);
  });
});

describe("auth under `auth: none`", () => {
  it("auth.not-required passes on an open host and fails on one that wants a token", async () => {
    expect(check(await certify((await mockHost("compliant")).url), "auth.not-required").status).toBe("passed");
    const record = check(await certify((await mockHost("compliant", { authToken: TOKEN })).url, { token: TOKEN }), "auth.not-required");
    expect(record.status).toBe("failed");
    expect(record.remedy).toMatch(/turn off "Require Authentication"/);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("the token never leaks", () => {
  it("from a fleet run: certificates, summary, JUnit, HTML, Markdown, Prometheus, journals and console", async () => {
    const mock = await mockHost("compliant", {
      authToken: TOKEN,
      rewrite: (path, body) => (path === "/api/v1/models" ? { ...(body as object), echoed: TOKEN } : body),
    });
    const dir = mkdtempSync(join(tmpdir(), "lmcert-fleet-token-"));
    const inventory = writeInventory(dir, mock.port, [{ name: "secured", url: mock.url, tokenEnv: "LMCERT_FLEET_TOKEN" }]);
    process.env["LMCERT_FLEET_TOKEN"] = TOKEN;
    const r = await runCli(["fleet", inventory, "--out", join(dir, "out"), "--json", "--allow-mutations", "--no-browser", "--probe-address", LAN_STAND_IN]);
    delete process.env["LMCERT_FLEET_TOKEN"];
    const files = filesUnder(join(dir, "out"));
    expect(files.some((f) => f.endsWith(".restore-journal.json"))).toBe(true);
    expect(files.some((f) => f.endsWith("lmcert.html"))).toBe(true);
    for (const text of [r.stdout, r.stderr, ...files.map((f) => readFileSync(f, "utf8"))]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("Ef56Gh78Ij90Kl12Mn34");
    }
  }, 60_000);

  it("from echoing servers (Authorization echoed into error bodies, WWW-Authenticate and Location): no format, no stderr", async () => {
    const echoHeaders = { fault: { kind: "echo-authorization" as const } };
    // Host 1 works, but echoes the header into every answer's headers, and into the error bodies of a failing
    // load (the driver's error message quotes the body) and a failing chat.
    const partly = await mockHost("compliant", {
      authToken: TOKEN,
      faults: [
        { fault: { kind: "echo-authorization", status: 500 }, paths: ["/api/v1/models/load"] },
        { fault: { kind: "echo-authorization", status: 401 }, paths: ["/v1/chat/completions"] },
        echoHeaders,
      ],
    });
    // Host 2 answers everything with the echo, as an error.
    const wholly = await mockHost("compliant", { authToken: TOKEN, faults: [{ fault: { kind: "echo-authorization", status: 401 } }] });
    const dir = mkdtempSync(join(tmpdir(), "lmcert-echo-token-"));
    const inventory = writeInventory(dir, partly.port, [
      { name: "echoes-some", url: partly.url, tokenEnv: "LMCERT_ECHO_TOKEN" },
      { name: "echoes-all", url: wholly.url, tokenEnv: "LMCERT_ECHO_TOKEN" },
    ]);
    process.env["LMCERT_ECHO_TOKEN"] = TOKEN;
    const r = await runCli(["fleet", inventory, "--out", join(dir, "out"), "--allow-mutations", "--no-browser", "--probe-address", LAN_STAND_IN]);
    const single = await runCli(["certify", partly.url, "--json", "--token-env", "LMCERT_ECHO_TOKEN", "--allow-mutations", "--no-browser", "--probe-address", LAN_STAND_IN]);
    delete process.env["LMCERT_ECHO_TOKEN"];
    const files = filesUnder(join(dir, "out"));
    for (const format of ["lmcert.junit.xml", "lmcert.md", "lmcert.html", "lmcert.prom", "fleet-summary.json", "latest.json"]) {
      expect(files.some((f) => f.endsWith(format)), format).toBe(true);
    }
    // The server really echoed it, so the redaction was exercised, not just never needed.
    expect(partly.requests.some((q) => q.path === "/api/v1/models/load")).toBe(true);
    const all = [r.stdout, r.stderr, single.stdout, single.stderr, ...files.map((f) => readFileSync(f, "utf8"))].join("\n");
    expect(all).toContain("[redacted]");
    for (const piece of [TOKEN, "Ef56Gh78Ij90Kl12Mn34", "Ab12Cd34", encodeURIComponent(TOKEN)]) expect(all).not.toContain(piece);
  }, 60_000);

  it("appears in no output, evidence, certificate or log, even when the server echoes it back", async () => {
    const mock = await mockHost("compliant", {
      authToken: TOKEN,
      // A hostile or buggy server that echoes the Authorization header into its body.
      rewrite: (path, body) => (path === "/v1/models" ? { ...(body as object), echoed: `Bearer ${TOKEN}` } : body),
    });
    const out = mkdtempSync(join(tmpdir(), "lmcert-token-"));
    process.env["LMCERT_TEST_TOKEN"] = TOKEN;
    const chromium = findChromium();
    const r = await runCli([
      "certify", mock.url, "--json", "--out", out, "--token-env", "LMCERT_TEST_TOKEN",
      "--probe-address", LAN_STAND_IN, "--standard", join(import.meta.dirname, "..", "fixtures", "standards", "cluster-standard.yaml"),
      ...(chromium.path ? [] : ["--no-browser"]),
    ]);
    delete process.env["LMCERT_TEST_TOKEN"];
    const artefacts = [r.stdout, r.stderr, ...filesUnder(out).map((f) => readFileSync(f, "utf8"))];
    expect(artefacts.length).toBeGreaterThan(3);
    for (const text of artefacts) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("Ef56Gh78Ij90Kl12Mn34");
    }
    // The request really carried it: the host accepted us.
    expect(JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === "surfaces.discovered").status).toBe("passed");
    expect(r.stdout).toContain("[redacted]");
  }, 60_000);
});
