/**
 * Issue 11.1 and issue 12 §2: every message says what to do next. Remedies that start the server carry the whole
 * command for the standard; unreachable hosts get a fix per cause; pasted URLs, unit-ful flags and misspellings are
 * understood or answered with the exact fix.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../contracts/certificate.ts";
import type { Standard } from "../contracts/standard.ts";
import { CertifyFlags, FleetFlags, MockFlags, RecordFlags, RestoreFlags } from "../contracts/cli.ts";
import { parseByteSize, parseDurationMs } from "../contracts/units.ts";
import type { HttpErrorKind } from "../harness/errors.ts";
import { classify } from "../harness/http/transport-errors.ts";
import { DEFAULT_STANDARD, parseStandard } from "../harness/standard-file.ts";
import { resolveRemedy } from "../harness/types.ts";
import { containerStartRemedy } from "../harness/container/certify-container.ts";
import { buildSummary } from "../harness/fleet/run-fleet.ts";
import { renderHtml } from "../harness/reporters/html.ts";
import { renderJunit } from "../harness/reporters/junit.ts";
import { renderMarkdown } from "../harness/reporters/markdown.ts";
import { palette } from "../harness/reporters/terminal-text.ts";
import { renderWhatToFix } from "../harness/reporters/what-to-fix.ts";
import type { ContainerRecord } from "../contracts/container.ts";
import { checks } from "../suites/index.ts";
import { notLmStudioRemedy, unreachableRemedy } from "../suites/remedies.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/fleet.ts";
import { certify, check, closedPortUrl, mockHost, plainHost } from "./helpers/hosts.ts";

const STANDARDS: readonly Standard[] = [
  DEFAULT_STANDARD,
  { ...DEFAULT_STANDARD, cors: "disabled" },
  { ...DEFAULT_STANDARD, bind: { address: "127.0.0.1", port: 4321 } },
  { ...DEFAULT_STANDARD, cors: "disabled", bind: { address: "10.0.0.5", port: 1235 } },
];

/**
 * Every `lms server start …` in `text` carries `--port`, `--bind` as the standard says, and `--cors` exactly when
 * the standard wants CORS on. Returns the offending commands.
 */
function incompleteStarts(text: string, standard: Standard): string[] {
  const starts = text.match(/lms server start[^`\n)]*/g) ?? [];
  return starts.filter((cmd) => {
    const flags = cmd.split(/\s+/);
    const has = (flag: string, value?: string) => flags.some((f, i) => f === flag && (value === undefined || flags[i + 1] === value));
    return !has("--port", String(standard.bind.port)) || !has("--bind", standard.bind.address) || has("--cors") !== (standard.cors === "any-origin");
  });
}

function remediesOf(certificate: Certificate): string[] {
  return certificate.checks.flatMap((c) => (c.remedy ? [c.remedy] : []));
}

describe("remedies that start the server carry the whole command for the standard (issue 11.1)", () => {
  it("every check's remedy, under several standards", () => {
    let starts = 0;
    for (const standard of STANDARDS) {
      for (const c of checks) {
        const text = resolveRemedy(c.remedy, standard);
        starts += (text.match(/lms server start/g) ?? []).length;
        expect(incompleteStarts(text, standard), `${c.id} under ${JSON.stringify(standard.bind)} cors ${standard.cors}`).toEqual([]);
      }
    }
    expect(starts).toBeGreaterThan(8);
  });

  it("the unreachable-host remedies, for every transport failure", () => {
    const kinds: (HttpErrorKind | undefined)[] = ["refused", "timeout", "reset", "dns", "tls-to-plain-http", "tls", "network", "invalid-url", undefined];
    for (const standard of STANDARDS) {
      for (const remedy of [...kinds.map((k) => unreachableRemedy(k, "http://10.0.0.100:1234")), notLmStudioRemedy("http://10.0.0.100:1234")]) {
        expect(incompleteStarts(resolveRemedy(remedy, standard), standard)).toEqual([]);
      }
    }
  });

  it("every remedy a run records (outcome overrides included), on hosts that fail bind, CORS, greeting and reachability", async () => {
    const loopbackOnly = await mockHost("compliant", { bindHost: "127.0.0.1" });
    const corsOff = await mockHost("compliant", { cors: false });
    const corsOn = await mockHost("compliant");
    const notLmStudio = await plainHost((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    const closed = await closedPortUrl();
    const otherPort = Number(new URL(await closedPortUrl()).port);
    const runs: [string, Partial<Standard>][] = [
      [loopbackOnly.url, {}],
      [corsOff.url, {}],
      [corsOn.url, { cors: "disabled" }],
      [corsOn.url, { bind: { address: "0.0.0.0", port: otherPort } }],
      [notLmStudio, {}],
      [closed, { cors: "disabled", bind: { address: "127.0.0.1", port: 4321 } }],
      [`https://127.0.0.1:${corsOn.port}`, {}],
    ];
    let seen = 0;
    for (const [url, overrides] of runs) {
      const certificate = await certify(url, { standard: overrides });
      const standard = { ...DEFAULT_STANDARD, bind: { address: "0.0.0.0", port: Number(new URL(url).port) }, ...overrides };
      for (const remedy of remediesOf(certificate)) {
        if (remedy.includes("lms server start")) seen++;
        expect(incompleteStarts(remedy, standard), `${url} ${JSON.stringify(overrides)}`).toEqual([]);
      }
    }
    expect(seen).toBeGreaterThan(6);
  });

  it("the reporters' own fallback (a certificate whose greeting error has no remedy) prints no start command without flags", async () => {
    const certificate = await certify(await closedPortUrl());
    // As older certificates have it: the errors carry no remedy, so the reporters fall back to their own words.
    const old: Certificate = { ...certificate, checks: certificate.checks.map((c) => (c.id === "health.greeting" || c.id === "surfaces.discovered" ? { ...c, remedy: null } : c)) };
    const summary = buildSummary({ path: "inventory.yaml", standard: DEFAULT_STANDARD, hosts: [] }, [old], [null]);
    const texts = {
      whatToFix: renderWhatToFix([old], palette({ isTTY: false }, {})),
      markdown: renderMarkdown(summary, [old]),
      junit: renderJunit([old]),
      html: [...renderHtml(summary, [old])].join(""),
    };
    for (const [format, text] of Object.entries(texts)) {
      expect(text, format).toContain("Developer → Start Server");
      expect(incompleteStarts(text, DEFAULT_STANDARD), format).toEqual([]);
    }
  });

  it("a container that never answered: its fix carries the whole start command for the standard", () => {
    const record: ContainerRecord = {
      image: "lmstudio/llmster:next", imageId: null, repoDigest: null, port: 1234, env: [], cmd: null, models: null,
      startup: "no-answer", detail: "GET /lmstudio-greeting did not answer", logTail: [],
    };
    for (const standard of STANDARDS) {
      const fix = containerStartRemedy(record, standard);
      expect(fix).toContain("lms server start");
      expect(incompleteStarts(fix, standard), JSON.stringify(standard.bind)).toEqual([]);
    }
  });

  it("Ctrl-C during the greeting: no server fix, only \"run it again\" (in the certificate and the what-to-fix block)", async () => {
    const hung = await mockHost("compliant", { faults: [{ fault: { kind: "hang" } }] });
    const stop = new AbortController();
    const out = tempDir();
    // Poll for the greeting request to be under way, then interrupt: no fixed sleep.
    const run = runCli(["certify", hung.url, "--no-browser", "--out", out], stop.signal);
    const deadline = Date.now() + 10_000;
    while (hung.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    const r = await run;
    expect(r.code).toBe(2);
    const [file] = readdirSync(join(out, readdirSync(out)[0] ?? "")).filter((f) => f.endsWith(".json") && f !== "latest.json");
    const certificate = JSON.parse(readFileSync(join(out, readdirSync(out)[0] ?? "", file ?? ""), "utf8")) as Certificate;
    for (const c of certificate.checks.filter((c) => c.status === "error")) {
      expect(c.remedy, c.id).toMatch(/run lmcert again/);
      expect(c.remedy, c.id).not.toMatch(/lms server|did not answer in time/);
    }
    expect(check(certificate, "surfaces.discovered").remedy).toMatch(/interrupted/);
    const block = r.stderr.slice(r.stderr.indexOf("What to fix"));
    expect(block).not.toMatch(/lms server start|did not answer in time/);
  });

  it("no file in the source tree, README or help texts prints a start command without --port, --bind and --cors", () => {
    const root = new URL("..", import.meta.url).pathname;
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|mjs|js|md|sh|yaml|yml)$/.test(name)) files.push(path);
      }
    };
    for (const dir of ["harness", "suites", "contracts", "fixtures", "scripts", "bin", "bench"]) {
      try {
        walk(join(root, dir));
      } catch {
        // a folder this checkout does not have
      }
    }
    files.push(join(root, "README.md"));
    let seen = 0;
    const offending: string[] = [];
    for (const file of files) {
      // Up to a quote, backtick, bracket or line end: the command as written, in code or in prose.
      for (const cmd of readFileSync(file, "utf8").match(/lms server start[^`\n)"'\\]*/g) ?? []) {
        seen++;
        const words = cmd.split(/\s+/);
        const valued = (flag: string) => words.some((w, i) => w === flag && words[i + 1] !== undefined && !words[i + 1]?.startsWith("-"));
        if (!valued("--port") || !valued("--bind") || !words.includes("--cors")) offending.push(`${relative(root, file)}: ${cmd}`);
      }
    }
    expect(seen).toBeGreaterThan(5);
    expect(offending).toEqual([]);
  });

  it("the README's check table and recipes never print a bare `lms server start`", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toContain("lms server start");
    expect(incompleteStarts(readme, DEFAULT_STANDARD)).toEqual([]);
  });
});

describe("an unreachable host: each cause has its own fix (issue 12 §2)", () => {
  it("connection refused: the error carries the full start command, in the certificate too", async () => {
    const url = await closedPortUrl();
    const certificate = await certify(url);
    const greeting = check(certificate, "health.greeting");
    expect(greeting.status).toBe("error");
    expect(greeting.remedy).toMatch(/^Nothing listens on 127\.0\.0\.1 port \d+\. .*lms server start --port \d+ --bind 0\.0\.0\.0 --cors/);
    expect(greeting.remedy).toContain('"Serve on Local Network"');
    expect(check(certificate, "surfaces.discovered").remedy).toBe(greeting.remedy);
  });

  it("a dead host in a fleet: the fix reaches the certificate, Markdown, HTML and JUnit, not `remedy: null`", async () => {
    const dir = tempDir();
    const dead = await closedPortUrl();
    const inventory = join(dir, "inventory.yaml");
    writeFileSync(inventory, `servers:\n  - name: dead\n    url: ${dead}\n`);
    const r = await runCli(["fleet", inventory, "--out", join(dir, "out"), "--no-browser", "--timeout", "2s"]);
    expect(r.code).toBe(1);
    const fix = `Nothing listens on 127.0.0.1 port ${new URL(dead).port}`;
    const certificate = JSON.parse(readFileSync(join(dir, "out", "dead", "latest.json"), "utf8")) as Certificate;
    expect(check(certificate, "health.greeting").remedy).toContain(fix);
    for (const file of ["lmcert.md", "lmcert.html", "lmcert.junit.xml"]) expect(readFileSync(join(dir, "out", file), "utf8"), file).toContain(fix);
  });

  it("a timeout names the firewall, Serve on Local Network and a longer --timeout", async () => {
    const hung = await mockHost("compliant", { faults: [{ fault: { kind: "hang" } }] });
    const greeting = check(await certify(hung.url, { timeoutMs: 300 }), "health.greeting");
    expect(greeting.status).toBe("error");
    expect(greeting.remedy).toMatch(/did not answer in time.*firewall.*"Serve on Local Network".*--timeout 15s/);
  });

  it("https:// against LM Studio's plain-HTTP server says so and gives the http:// URL", async () => {
    const mock = await mockHost("compliant");
    const greeting = check(await certify(`https://127.0.0.1:${mock.port}`), "health.greeting");
    expect(greeting.reason).toMatch(/^TLS handshake failed: the server answers plain HTTP, not https/);
    expect(greeting.remedy).toBe(`The server at 127.0.0.1:${mock.port} answers plain HTTP, not https (LM Studio's server has no TLS): use http://127.0.0.1:${mock.port}.`);
  });

  it("a DNS failure is its own kind, with its own fix (classified from the resolver's error code)", () => {
    const error = Object.assign(new Error("getaddrinfo ENOTFOUND studio-9.lan"), { code: "ENOTFOUND" });
    expect(classify(error, new AbortController().signal)).toBe("dns");
    expect(resolveRemedy(unreachableRemedy("dns", "http://studio-9.lan:1234"), DEFAULT_STANDARD)).toMatch(/^The name studio-9\.lan does not resolve.*IP address/);
  });

  it("something that is not LM Studio: check the port", async () => {
    const url = await plainHost((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<h1>router admin</h1>"));
    const certificate = await certify(url);
    expect(check(certificate, "health.greeting").remedy).toMatch(/^Something other than LM Studio answers at 127\.0\.0\.1:\d+\. Check the port/);
    expect(check(certificate, "surfaces.discovered").reason).toMatch(/^not an LM Studio server: /);
  });
});

describe("the URLs people paste (issue 12 §2)", () => {
  it("the OpenAI base URL http://host:1234/v1 is accepted, and lmcert says which URL it used", async () => {
    const mock = await mockHost("compliant");
    const r = await runCli(["certify", `${mock.url}/v1`, "--only", "health.greeting", "--no-browser"]);
    expect(r.stderr).toContain(`note: lmcert used ${mock.url}: /v1 is an API path under the server's root`);
    expect(r.stderr).toMatch(/passed\s+health\.greeting/);
  });

  it("a URL without a scheme gets the exact URL to use, named as the positional it is", async () => {
    const r = await runCli(["certify", "localhost:1234"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('<url>: "localhost:1234" has no scheme: use http://localhost:1234');
    expect(r.stderr).not.toContain("--url");
  });

  it("inventory url entries follow the same rules, naming file, line and column", async () => {
    const dir = tempDir();
    const inventory = join(dir, "inventory.yaml");
    writeFileSync(inventory, "servers:\n  - name: a\n    url: studio-1.lan:1234\n");
    const r = await runCli(["fleet", inventory, "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${inventory}:3:10: servers[0].url: "studio-1.lan:1234" has no scheme: use http://studio-1.lan:1234`);

    const mock = await mockHost("compliant");
    writeFileSync(inventory, `servers:\n  - name: a\n    url: ${mock.url}/v1/\n`);
    const ok = await runCli(["fleet", inventory, "--out", dir, "--no-browser"]);
    expect(ok.stderr).toContain(`${inventory}:3:10: servers[0].url: lmcert used ${mock.url}: /v1/ is an API path`);
  });
});

describe("the flags and files people type (issue 12 §2)", () => {
  it("durations: plain milliseconds keep working, and 500ms, 5s, 2m, 1h are understood", () => {
    expect([parseDurationMs("5000"), parseDurationMs("500ms"), parseDurationMs("5s"), parseDurationMs("2m"), parseDurationMs("1h"), parseDurationMs("1.5s")])
      .toEqual([5000, 500, 5000, 120_000, 3_600_000, 1500]);
    expect([parseDurationMs("0"), parseDurationMs("5x"), parseDurationMs("-1"), parseDurationMs("")]).toEqual([null, null, null, null]);
  });

  it("every command's duration flag takes units (certify, pact verify, record, restore, fleet, mock)", () => {
    const url = "http://127.0.0.1:1234";
    expect(CertifyFlags.parse({ url, timeoutMs: "5s" }).timeoutMs).toBe(5000);
    expect(RecordFlags.parse({ url, timeoutMs: "1.5s" }).timeoutMs).toBe(1500);
    expect(RestoreFlags.parse({ journal: "j.json", timeoutMs: "2m" }).timeoutMs).toBe(120_000);
    expect(FleetFlags.parse({ inventory: "i.yaml", timeoutMs: "5000", hostTimeoutMs: "2m" })).toMatchObject({ timeoutMs: 5000, hostTimeoutMs: 120_000 });
    expect(MockFlags.parse({ loadLatencyMs: "1.2s" }).loadLatencyMs).toBe(1200);
    expect(MockFlags.parse({ loadLatencyMs: "0" }).loadLatencyMs).toBe(0);
  });

  it("--timeout 5s and --host-timeout 2m work; a bad one says the rule and names the flag as typed", async () => {
    const mock = await mockHost("compliant");
    const r = await runCli(["certify", mock.url, "--timeout", "5s", "--only", "health.greeting", "--no-browser"]);
    expect(r.code).toBe(1); // incomplete: one check selected, and it passed
    expect(r.stderr).toMatch(/passed\s+health\.greeting/);
    const bad = await runCli(["fleet", "inventory.yaml", "--host-timeout", "2 minutes"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--host-timeout: "2 minutes" is not a positive duration: use milliseconds or a unit: 5000, 500ms, 5s, 2m, 1h');
    const badTimeout = await runCli(["certify", mock.url, "--timeout", "soon"]);
    expect(badTimeout.stderr).toContain("--timeout:");
    expect(badTimeout.stderr).not.toMatch(/timeoutMs/);
  });

  it("--timeout 5 (a bare number below 100) is refused as probably seconds; 50ms, 100 and a bare --load-latency are kept", async () => {
    const mock = await mockHost("compliant");
    const five = await runCli(["certify", mock.url, "--timeout", "5", "--only", "health.greeting", "--no-browser"]);
    expect(five.code).toBe(2);
    expect(five.stderr).toContain('--timeout: "5" would be 5 milliseconds, which is almost certainly not meant: use 5s or 5000 (milliseconds)');
    const hostTimeout = await runCli(["fleet", "inventory.yaml", "--host-timeout", "30"]);
    expect([hostTimeout.code, hostTimeout.stderr]).toEqual([2, expect.stringContaining("--host-timeout: \"30\" would be 30 milliseconds")]);
    // A unit is taken as typed, and 100 or more stays milliseconds (existing scripts keep working).
    expect(CertifyFlags.parse({ url: "http://127.0.0.1:1234", timeoutMs: "50ms" }).timeoutMs).toBe(50);
    expect(CertifyFlags.parse({ url: "http://127.0.0.1:1234", timeoutMs: "100" }).timeoutMs).toBe(100);
    expect(MockFlags.parse({ loadLatencyMs: "5" }).loadLatencyMs).toBe(5); // the mock's latency is not a timeout
  });

  it("--timeout -1s names the flag and says what to type, not Node's 'argument is ambiguous'", async () => {
    const r = await runCli(["certify", "http://127.0.0.1:9", "--timeout", "-1s"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/ambiguous|-XYZ/);
    expect(r.stderr).toContain('lmcert certify: --timeout: "-1s" starts with "-", so it was read as a flag, not as the value of --timeout. A negative value is not accepted: give a positive one, e.g. --timeout 1s.');
    const name = await runCli(["certify", "http://127.0.0.1:9", "--name", "-x"]);
    expect(name.stderr).toContain('--name: "-x" starts with "-", so it was read as a flag, not as the value of --name. Give --name its value, or, if the value really starts with "-", write --name=-x.');
  });

  it("byte sizes in the standard: 64GB is decimal, 64GiB binary, bare numbers are bytes, 64G is refused with the rule", () => {
    expect(parseByteSize("64GB")).toBe(64e9);
    expect(parseByteSize("64 GiB")).toBe(64 * 2 ** 30);
    expect(parseByteSize(123)).toBe(123);
    expect(parseByteSize("1.5TB")).toBe(1.5e12);
    expect(parseStandard("standard: s\nversion: 1\nmemory:\n  maxLoadedBytes: 64GB\n", "team.yaml").memory.maxLoadedBytes).toBe(64_000_000_000);
    expect(() => parseStandard("standard: s\nversion: 1\nmemory:\n  maxLoadedBytes: 64G\n", "team.yaml"))
      .toThrow(/team\.yaml:4:19: memory\.maxLoadedBytes: .*64GB \(decimal, 64 × 10\^9 bytes\) or 64GiB \(binary, 64 × 2\^30 bytes\)/);
  });

  it("did you mean: a mistyped flag and a mistyped command", async () => {
    const flag = await runCli(["certify", "http://127.0.0.1:1", "--standrd", "x.yaml"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--standrd'. Did you mean --standard?");
    const command = await runCli(["certfy", "http://127.0.0.1:1"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "certfy". Did you mean certify?');
    const id = await runCli(["certify", "http://127.0.0.1:1", "--only", "cors.prefligt"]);
    expect(id.code).toBe(2);
    expect(id.stderr).toContain("unknown check id(s): cors.prefligt (did you mean cors.preflight?)");
  });

  it("unknown YAML keys: file, line, column, the key, did-you-mean and what is allowed", () => {
    expect(() => parseStandard("standard: s\nversion: 1\nbind:\n  adress: 0.0.0.0\n", "team.yaml"))
      .toThrow("team.yaml:4:3: bind.adress: unknown key; did you mean address? (allowed: address, port)");
  });

  it("YAML syntax errors: file, line, column and the whole message with its excerpt", () => {
    let message = "";
    try {
      parseStandard("standard: s\nversion: 1\nlisting: [loaded-only\nbind: 1\n", "team.yaml");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Standard file team\.yaml is not valid YAML:\nteam\.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a \]\nlisting: \[loaded-only\nbind: 1\n\^$/);
  });

  it("a missing file says 'no such file: <path>', never ENOENT", async () => {
    for (const argv of [["certify", "http://127.0.0.1:1", "--standard", "/nope/team.yaml"], ["fleet", "/nope/inventory.yaml"], ["verify", "/nope/cert.json"], ["restore", "/nope/journal.json"], ["diff", "/nope/a.json", "/nope/b.json"], ["certify", "--rerun-failed", "/nope/cert.json"], ["mock", "--replay", "/nope/host.har"]]) {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no such file: \/nope\//);
      expect(r.stderr).not.toContain("ENOENT");
    }
    // A folder to write into that does not exist yet is made, not an internal error.
    const keys = join(tempDir(), "keys", "team");
    expect((await runCli(["keygen", "--out-dir", keys])).code).toBe(0);
    expect(readFileSync(join(keys, "lmcert-signing.pub"), "utf8")).toMatch(/PUBLIC KEY/);
  });
});
