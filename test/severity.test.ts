/**
 * Issue 12: one severity model for every output. A host that passes every required check and fails only optional
 * ones exits 0, has no <failure> in JUnit, is not red in Prometheus, the console or Markdown (HTML: reports.test.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../contracts/certificate.ts";
import { severityOf, verdictFor, verdictReason } from "../harness/severity.ts";
import { concreteRemedy } from "../harness/reporters/what-to-fix.ts";
import { markdownWithCode } from "../harness/reporters/escape.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir, writeInventory } from "./helpers/fleet.ts";
import { closedPortUrl, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

const FAST = ["--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "1000"];

describe("the severity model", () => {
  it("required failures fail, optional ones warn, undecided required checks leave the host incomplete", () => {
    const r = (required: boolean, status: Certificate["checks"][number]["status"]) => ({ required, status });
    expect(severityOf(r(true, "failed"))).toBe("failure");
    expect(severityOf(r(false, "failed"))).toBe("warning");
    expect(severityOf(r(false, "error"))).toBe("warning");
    expect(severityOf(r(true, "inconclusive"))).toBe("incomplete");
    expect(severityOf(r(false, "skipped"))).toBe("skipped");
    expect(verdictFor([r(true, "passed"), r(false, "failed")])).toBe("certified");
    expect(verdictReason([r(true, "passed"), r(false, "failed")])).toBe("every required check passed · 1 warning");
    expect(verdictReason([r(true, "failed"), r(true, "failed"), r(true, "error")])).toBe("2 required checks failed · 1 required check errored");
  });

  it("a host that fails only optional checks: exit 0, `⚠ warned`, no <failure>, nothing red in Prometheus or Markdown", async () => {
    const host = await mockHost("compliant");
    const dir = tempDir();
    const out = join(dir, "out");
    const inventory = writeInventory(dir, host.port, [{ name: "ok-host", url: host.url }]);
    const r = await runCli(["fleet", inventory, "--out", out, ...FAST]);
    const cert = JSON.parse(readFileSync(join(out, "ok-host", "latest.json"), "utf8")) as Certificate;
    const optionalFailures = cert.checks.filter((c) => !c.required && c.status === "failed").map((c) => c.id);
    expect(optionalFailures).toContain("cors.private-network"); // LM Studio has no setting for it
    expect(cert.verdict).toBe("certified");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/✔ certified {2}ok-host \(\d+ passed, 1 warning/);

    const junit = readFileSync(join(out, "lmcert.junit.xml"), "utf8");
    expect(junit).not.toContain("<failure");
    expect(junit).not.toContain("<error");
    expect(junit).toMatch(/<testsuite name="ok-host" tests="\d+" failures="0" errors="0"/);
    expect(junit).toMatch(/name="cors\.private-network"[^>]*>\s*<skipped message="warning \(optional check failed\): [^"]+"\/>\s*<system-out>[\s\S]*?Fix: /);

    const prom = readFileSync(join(out, "lmcert.prom"), "utf8");
    expect(prom).toContain('lmcert_certified{host="ok-host"} 1');
    expect(prom).not.toMatch(/^lmcert_check_status\{[^}]*\} 0$/m); // what an alert on == 0 would fire on
    expect(prom).toContain('lmcert_check_status{host="ok-host",check="cors.private-network",required="false",severity="warning"} 0.5');
    expect(prom).toContain('lmcert_warnings{host="ok-host"} 1');

    const md = readFileSync(join(out, "lmcert.md"), "utf8");
    expect(md).toMatch(/## ok-host: ✅ certified \(every required check passed · 1 warning\)/);
    expect(md).not.toMatch(/^ *- ❌/m);
    expect(md).toMatch(/- ⚠️ CORS for all origins\n  - ⚠️ `cors\.private-network` \(optional, failed: warning\): \S/);

    const single = await runCli(["certify", host.url, "--standard", join(dir, "standard.yaml"), ...FAST]);
    expect(single.code).toBe(0);
    expect(single.stderr).toMatch(/⚠ warned\s+cors\.private-network\s+\(optional, failed\)/);
    expect(single.stderr).toMatch(/verdict: CERTIFIED \(\d+ passed, 1 warning/);
    expect(single.stderr).not.toContain("What to fix"); // nothing required failed
  }, 60_000);

  it("--problems lists only what needs attention; the what-to-fix block names the dead host's reason and a fix", async () => {
    const host = await mockHost("compliant");
    const dead = await closedPortUrl();
    const dir = tempDir();
    const inventory = writeInventory(dir, host.port, [{ name: "ok-host", url: host.url }, { name: "dead-host", url: dead }]);
    const r = await runCli(["fleet", inventory, "--out", join(dir, "out"), "--problems", ...FAST]);
    expect(r.code).toBe(1);
    // ok-host has a warning, so it is listed; the dead host says why, not just "error".
    expect(r.stderr).toMatch(/\? incomplete {2}dead-host \(.*\)\n {4}health\.greeting error: .*(refused|ECONNREFUSED)/i);
    expect(r.stderr).toMatch(/What to fix\n {2}dead-host http:\/\/127\.0\.0\.1:\d+ · 2 required checks errored · \d+ required checks not run\n {4}\? health\.greeting \(error\): Connection refused[^\n]*\n {6}fix: [^\n]*`lms server start --port \d+[^`]*`[\s\S]*not run until the above pass: schema\.openai-models, /);

    // Every ⚠️ line in the Markdown carries its reason on the line below it.
    const md = readFileSync(join(dir, "out", "lmcert.md"), "utf8").split("\n");
    const warned = md.flatMap((line, i) => (/^- ⚠️/.test(line) ? [[line, md[i + 1] ?? ""]] : []));
    expect(warned.length).toBeGreaterThan(0);
    for (const [line, next] of warned) expect(next, line).toMatch(/^ {2}- (❌|⚠️) `[\w.-]+` \((required|optional), \w+[^)]*\): \S/);

    const single = await runCli(["certify", host.url, "--standard", join(dir, "standard.yaml"), "--quiet", ...FAST]);
    expect(single.stderr).not.toMatch(/✔ passed|- skipped/);
    expect(single.stderr).toMatch(/⚠ warned\s+cors\.private-network/);
  }, 60_000);

  it("fixes are concrete: <model> becomes the observed model names; unsafe names never enter a command", () => {
    const base = { title: "", must: "", required: true, status: "failed" as const, reason: "", evidence: [], durationMs: 1 };
    const memory = { ...base, id: "memory.within-budget", observed: { instances: [{ instance: "qwen2.5-7b-instruct", bytes: 1 }, { instance: "gemma-3-12b:2", bytes: 1 }] }, remedy: "Unload (`lms unload <model>`)." };
    expect(concreteRemedy(memory)).toBe("Unload (`lms unload qwen2.5-7b-instruct && lms unload gemma-3-12b:2`).");
    const evil = { ...memory, observed: { instances: [{ instance: "x; rm -rf ~", bytes: 1 }] } };
    expect(concreteRemedy(evil)).toBe("Unload (`lms unload <model>`).");
    // Markdown: code spans stay literal (no `&lt;model\>`), the text around them is escaped.
    expect(markdownWithCode("Run `lms load <model>` [now]")).toBe("Run `lms load <model>` \\[now\\]");
  });
});

describe("console details from issue 12", () => {
  it("a certificate of an interrupted run says so", async () => {
    const host = await mockHost("compliant");
    const stop = new AbortController();
    stop.abort();
    const { certifyHost } = await import("../harness/certify-host.ts");
    const { DEFAULT_STANDARD } = await import("../harness/standard-file.ts");
    const { checks } = await import("../suites/index.ts");
    const cert = await certifyHost({ host: { name: "h", url: host.url }, standard: DEFAULT_STANDARD, checks, signal: stop.signal, chromium: { path: null, reason: "not needed" } });
    expect(cert.interrupted).toMatchObject({ at: expect.any(String), detail: expect.stringMatching(/interrupted/) });
    expect(cert.verdict).not.toBe("certified");
  });

  it("optional checks an interruption left unrun are 'not run (interrupted)', never warnings (console, Prometheus, JUnit, HTML)", async () => {
    const host = await mockHost("compliant");
    const dir = tempDir();
    const out = join(dir, "out");
    const inventory = writeInventory(dir, host.port, [{ name: "cut", url: host.url }]);
    const stop = new AbortController();
    stop.abort(); // Ctrl-C before the host was asked anything
    const r = await runCli(["fleet", inventory, "--out", out, ...FAST], stop.signal);
    const cert = JSON.parse(readFileSync(join(out, "cut", "latest.json"), "utf8")) as Certificate;
    const unrunOptional = cert.checks.filter((c) => !c.required && c.status === "error");
    expect(unrunOptional.length).toBeGreaterThan(1);
    for (const c of unrunOptional) expect(severityOf(c)).toBe("interrupted");
    expect(r.stderr).not.toMatch(/\d+ warnings?\b/);
    expect(r.stderr).toMatch(/\d+ not run \(interrupted\)/);
    const prom = readFileSync(join(out, "lmcert.prom"), "utf8");
    expect(prom).not.toMatch(/severity="warning"/);
    expect(prom).toMatch(/lmcert_check_status\{[^}]*check="config\.local-settings"[^}]*severity="interrupted"[^}]*\} -1/);
    expect(prom).toMatch(/^lmcert_warnings\{host="cut"\} 0$/m);
    const junit = readFileSync(join(out, "lmcert.junit.xml"), "utf8");
    expect(junit).toMatch(/name="config\.local-settings"[^>]*>\s*<skipped message="not run \(interrupted\)/);
    expect(readFileSync(join(out, "lmcert.html"), "utf8")).toMatch(/data-check="config\.local-settings" data-severity="interrupted">not run \(interrupted\)/);
    expect(verdictReason(cert.checks)).toMatch(/optional checks? not run \(interrupted\)$/);
    expect(verdictReason(cert.checks)).not.toMatch(/warning/);
  });

  it("the live fleet line names the hosts in flight (TTY)", async () => {
    const { FleetProgressReporter } = await import("../harness/reporters/fleet-progress.ts");
    let tty = "";
    const progress = new FleetProgressReporter(3, { write: (t: string) => (tty += t), isTTY: true });
    const plan = (name: string) => ({ host: { name, url: "http://127.0.0.1:1" }, standardName: "s", standardVersion: 1, checkIds: [] });
    progress.onRunStart(plan("ms-1"));
    progress.onRunStart(plan("ms-2"));
    expect(tty.replace(/\u001b\[\d+m/g, "")).toMatch(/0\/3 hosts done · running: ms-1, ms-2$/);
  });

  it("the no-Chromium message names the macOS locations too", async () => {
    const { findChromium } = await import("../harness/browser/find-chromium.ts");
    const none = findChromium(undefined, {}, ["/nonexistent/chromium"]); // as on a machine without any browser
    expect(none.path).toBeNull();
    expect(none.reason).toContain("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
    expect(none.reason).toContain("/Applications/Chromium.app/Contents/MacOS/Chromium");
  });
});
