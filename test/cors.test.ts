/** CORS as a browser experiences it: header-level against the mock's CORS knobs, then in real Chromium. */
import { describe, expect, it } from "vitest";
import { findChromium } from "../harness/browser/find-chromium.ts";
import { preflightProblems } from "../harness/cors-rules.ts";
import { certify, check, mockHost } from "./helpers/hosts.ts";

describe("cors.preflight and cors.actual-request", () => {
  it("pass with LM Studio's CORS on (Express cors() defaults)", async () => {
    const cert = await certify((await mockHost("compliant", { cors: true })).url);
    expect(check(cert, "cors.preflight").status).toBe("passed");
    expect(check(cert, "cors.preflight").evidence).toHaveLength(8);
    expect(check(cert, "cors.actual-request").status).toBe("passed");
  });

  it("fail with CORS off, although every preflight got HTTP 200", async () => {
    const mock = await mockHost("compliant", { cors: false });
    const cert = await certify(mock.url);
    const preflight = check(cert, "cors.preflight");
    expect(preflight.status).toBe("failed");
    expect(preflight.evidence.every((e) => e.status === 200)).toBe(true);
    expect(preflight.reason).toMatch(/^CORS is off: OPTIONS \/v1\/models from http:\/\/example\.test: no Access-Control-Allow-Origin header/);
    expect(preflight.remedy).toMatch(/turn on "Enable CORS"/);
    expect(check(cert, "cors.actual-request").status).toBe("failed");
    expect(cert.verdict).toBe("not-certified");
  });

  it("accept an echoed origin with or without Vary: Origin; a missing Vary is a caching warning, not a failure (issue 11.7)", async () => {
    const echo = await certify((await mockHost("compliant", { corsStyle: "echo-origin" })).url);
    expect(check(echo, "cors.preflight")).toMatchObject({ status: "passed", observed: { warnings: [] } });
    const noVary = await certify((await mockHost("compliant", { corsStyle: "echo-origin-no-vary" })).url);
    for (const id of ["cors.preflight", "cors.actual-request"]) {
      const record = check(noVary, id);
      expect([id, record.status]).toEqual([id, "passed"]);
      expect(record.reason).toMatch(/warning: Access-Control-Allow-Origin echoes .* without "Vary: Origin": browsers accept it/);
      expect(record.observed["warnings"]).toHaveLength(1);
    }
  });

  it("need no Access-Control-Allow-Methods for POST (CORS-safelisted), but still need the JSON and Authorization headers allowed", async () => {
    const noMethods = await certify((await mockHost("compliant", { corsAllowMethods: false })).url);
    expect(check(noMethods, "cors.preflight").status).toBe("passed");
    const neither = check(await certify((await mockHost("compliant", { corsAllowMethods: false, corsStyle: "no-allow-headers" })).url), "cors.preflight");
    expect([neither.status, neither.reason]).toEqual(["failed", expect.stringMatching(/does not cover content-type, authorization/)]);
    const headers = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type, authorization" };
    for (const method of ["GET", "HEAD", "POST"]) expect(preflightProblems(204, headers, "null", method)).toEqual([]);
    expect(preflightProblems(204, headers, "null", "PUT")).toEqual(['Access-Control-Allow-Methods "" does not cover PUT']);
  });

  it("fail when the preflight does not allow the requested headers", async () => {
    const cert = await certify((await mockHost("compliant", { corsStyle: "no-allow-headers" })).url);
    expect(check(cert, "cors.preflight").reason).toMatch(/does not cover content-type, authorization/);
  });

  it("never count `*` as allowing Authorization (Fetch standard)", () => {
    const headers = { "access-control-allow-origin": "*", "access-control-allow-methods": "*", "access-control-allow-headers": "*" };
    expect(preflightProblems(204, headers, "null")).toEqual(['Access-Control-Allow-Headers "*" does not cover authorization']);
    expect(preflightProblems(204, { ...headers, "access-control-allow-headers": "*, Authorization" }, "null")).toEqual([]);
    expect(preflightProblems(500, { ...headers, "access-control-allow-headers": "authorization,content-type" }, "null")).toEqual([
      "preflight answered HTTP 500; browsers need a 2xx",
    ]);
  });
});

describe("cors.private-network", () => {
  it("reports LM Studio's missing Access-Control-Allow-Private-Network, and passes when it is sent", async () => {
    const missing = check(await certify((await mockHost("compliant")).url), "cors.private-network");
    expect([missing.status, missing.required]).toEqual(["failed", false]);
    expect(missing.reason).toMatch(/Chromium blocks pages on public origins/);
    const granted = check(await certify((await mockHost("compliant", { corsPrivateNetwork: true })).url), "cors.private-network");
    expect(granted.status).toBe("passed");
  });
});

describe("cors.disabled", () => {
  it("is required under `cors: disabled`: passes with CORS off, fails with it on", async () => {
    const standard = { cors: "disabled" as const };
    const off = await certify((await mockHost("compliant", { cors: false })).url, { standard });
    expect([check(off, "cors.disabled").status, check(off, "cors.disabled").required]).toEqual(["passed", true]);
    expect(check(off, "cors.preflight").status).toBe("skipped");
    const on = check(await certify((await mockHost("compliant", { cors: true })).url, { standard }), "cors.disabled");
    expect(on.status).toBe("failed");
    expect(on.remedy).toMatch(/turn off "Enable CORS"/);
  });
});

const chromium = findChromium();

describe.skipIf(!chromium.path)(`cors.browser in real headless Chromium (${chromium.reason})`, () => {
  it("passes only when Chromium hands the page the JSON, and fails with the browser's own CORS error", async () => {
    const on = check(await certify((await mockHost("compliant", { cors: true })).url, { chromium }), "cors.browser");
    expect(on.status).toBe("passed");
    expect(on.reason).toMatch(/Chromium handed the page on http:\/\/127\.0\.0\.1:\d+ the \/v1\/models JSON/);
    const off = check(await certify((await mockHost("compliant", { cors: false })).url, { chromium }), "cors.browser");
    expect(off.status).toBe("failed");
    expect(off.reason).toMatch(/has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header/);
    expect(off.observed["console"]).toEqual(expect.arrayContaining([expect.stringMatching(/blocked by CORS policy/)]));
  }, 60_000);

  it("agrees with the header rules: Chromium accepts an echoed origin without Vary and a preflight without Allow-Methods", async () => {
    const mock = await mockHost("compliant", { corsStyle: "echo-origin-no-vary", corsAllowMethods: false });
    const cert = await certify(mock.url, { chromium });
    expect(["cors.browser", "cors.preflight", "cors.actual-request"].map((id) => check(cert, id).status)).toEqual(["passed", "passed", "passed"]);
  }, 60_000);
});

describe("cors.browser without a Chromium", () => {
  it("is skipped with the reason, never passed", async () => {
    const record = check(
      await certify((await mockHost("compliant")).url, { chromium: findChromium("/nonexistent/chromium") }),
      "cors.browser",
    );
    expect(record.status).toBe("skipped");
    expect(record.reason).toBe("/nonexistent/chromium is not an executable file");
  });
});

describe("cors.browser with a --chromium that is not a browser", () => {
  it("is an error, and the CLI still exits: nothing is left listening when the launch fails", async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const { join } = await import("node:path");
    const mock = await mockHost("compliant");
    const child = await promisify(execFile)(
      process.execPath,
      [join(import.meta.dirname, "..", "bin", "lmcert.js"), "certify", mock.url, "--chromium", "/bin/true", "--json", "--probe-address", "127.0.0.2", "--only", "health.greeting,cors.browser", "--out", join(import.meta.dirname, "..", "test-artifacts", "cors-not-a-browser")],
      { timeout: 45_000 },
    ).catch((error: { stdout: string; code: number | null; killed?: boolean }) => error);
    expect("killed" in child && child.killed, "the CLI did not exit").toBeFalsy();
    const cert = JSON.parse(child.stdout) as { checks: { id: string; status: string }[] };
    expect(cert.checks.find((c) => c.id === "cors.browser")?.status).toBe("error");
  });
});
