/** Interrupted runs leave the host as they found it: Ctrl-C restores at once; after kill -9, `lmcert restore` does. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it, onTestFinished } from "vitest";
import { findChromium } from "../harness/browser/find-chromium.ts";
import { handleInterrupts } from "../harness/cli/interrupts.ts";
import { JournalFile } from "../harness/lifecycle/journal.ts";
import { pollUntil } from "../harness/lifecycle/poll.ts";
import { runCli } from "./helpers/cli.ts";
import { mockHost } from "./helpers/hosts.ts";
import { LAN_STAND_IN } from "./helpers/hosts.ts";
import { runRestore } from "./helpers/restore-process.ts";

const BIN = join(import.meta.dirname, "..", "bin", "lmcert.js");
const ORIGINAL = ["qwen2.5-0.5b-instruct", "text-embedding-nomic-embed-text-v1.5"];

/**
 * The mock in its own process, logging every request. `loadReceived` resolves when a load request has reached it:
 * only then has the host really been changed (the journal is written just *before* the request goes out).
 */
async function spawnSlowMock(loadLatencyMs = 1200): Promise<{ url: string; loadReceived: Promise<void> }> {
  const child = spawn(process.execPath, [BIN, "mock", "--preset", "mac-studio-1", "--host", "127.0.0.1", "--port", "0", "--load-latency", String(loadLatencyMs), "--log-requests"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  onTestFinished(() => void child.kill("SIGINT"));
  const lines = createInterface({ input: child.stdout });
  let url: string | undefined;
  let onLoad: () => void = () => undefined;
  const loadReceived = new Promise<void>((resolve) => (onLoad = resolve));
  const started = new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match?.[1]) resolve((url = match[1]));
      if (line === "POST /api/v1/models/load") onLoad();
    });
    lines.on("close", () => (url ? undefined : reject(new Error("mock did not start"))));
  });
  return { url: await started, loadReceived };
}

async function loadedIds(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/api/v1/models`)).json()) as { models: { loaded_instances: { id: string }[] }[] };
  return body.models.flatMap((m) => m.loaded_instances.map((i) => i.id)).sort();
}

function startCertify(url: string, out: string): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const standard = join(mkdtempSync(join(tmpdir(), "lmcert-std-")), "standard.yaml");
  writeFileSync(standard, `standard: s\nversion: 1\nbind: { address: 0.0.0.0, port: ${new URL(url).port} }\n`);
  const child = spawn(
    process.execPath,
    [BIN, "certify", url, "--allow-mutations", "--out", out, "--name", "host", "--standard", standard, "--probe-address", LAN_STAND_IN, "--no-browser"],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

/** Waits until the run's journal records a load: the moment the host is being changed. */
async function journalWithLoad(out: string): Promise<string> {
  const dir = join(out, "host");
  const found = await pollUntil(
    async () => {
      if (!existsSync(dir)) return null;
      const file = readdirSync(dir).find((f) => f.endsWith(".restore-journal.json"));
      if (!file) return null;
      const path = join(dir, file);
      const journal = JSON.parse(readFileSync(path, "utf8")) as { mutations: { action: string }[] };
      return journal.mutations.some((m) => m.action === "load") ? path : null;
    },
    (path) => path !== null,
    { timeoutMs: 15_000 },
  );
  if (!found.last) throw new Error("no journal with a load appeared");
  return found.last;
}

describe("interrupted lifecycle runs", () => {
  it("SIGINT in the middle of the lifecycle suite: the CLI restores the host, then exits 2", async () => {
    const { url } = await spawnSlowMock();
    expect(await loadedIds(url)).toEqual(ORIGINAL);
    const out = mkdtempSync(join(tmpdir(), "lmcert-int-"));
    const run = startCertify(url, out);
    const journal = await journalWithLoad(out);
    run.child.kill("SIGINT");
    const { code, stderr } = await run.done;
    expect(code).toBe(2);
    expect(stderr).toMatch(/interrupted: the certificate is incomplete \(the host was put back first\)/);
    expect(await loadedIds(url)).toEqual(ORIGINAL);
    expect(JSON.parse(readFileSync(journal, "utf8")).status).toBe("restored");
  }, 60_000);

  it("kill -9 mid-load: `lmcert restore <journal>` puts the host back", async () => {
    const { url, loadReceived } = await spawnSlowMock();
    const out = mkdtempSync(join(tmpdir(), "lmcert-kill-"));
    const run = startCertify(url, out);
    const journal = await journalWithLoad(out);
    await loadReceived;
    run.child.kill("SIGKILL");
    await run.done;
    // The host finishes the load lmcert asked for, with nobody left to undo it.
    const landed = await pollUntil(() => loadedIds(url), (ids) => ids.length > ORIGINAL.length, { timeoutMs: 10_000 });
    expect(landed.ok).toBe(true);
    const restore = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, "restore", journal], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(restore.stderr).toMatch(/host \(http:\/\/127\.0\.0\.1:\d+\): restored: unloaded \[[^\]]+\]/);
    expect(restore.code).toBe(0);
    expect(await loadedIds(url)).toEqual(ORIGINAL);
    expect(JSON.parse(readFileSync(journal, "utf8")).status).toBe("restored");
  }, 60_000);
});

describe("pending loads and repeated Ctrl-C", () => {
  it("kill -9 while a load is in flight: `lmcert restore` waits for it to land and unloads it (issue 15.1)", async () => {
    const { url, loadReceived } = await spawnSlowMock(3_000);
    const out = mkdtempSync(join(tmpdir(), "lmcert-pending-"));
    const run = startCertify(url, out);
    const journal = await journalWithLoad(out);
    await loadReceived;
    run.child.kill("SIGKILL");
    await run.done;
    const recorded = JSON.parse(readFileSync(journal, "utf8"));
    expect(recorded.mutations.at(-1)).toMatchObject({ action: "load", instanceId: null, waitUntil: expect.any(String) });
    expect(recorded.mutations.at(-1).outcome).toBeUndefined();
    // The load has not landed yet: the loaded set still matches the snapshot, which fooled the old restore.
    expect(await loadedIds(url)).toEqual(ORIGINAL);
    const restore = await runRestore(journal);
    const model = recorded.mutations.at(-1).model as string;
    expect(restore.stderr).toContain(`waiting for 1 pending load(s) of ${model} to land`);
    expect(restore.stderr).toContain(`restored: unloaded [${model}]`);
    expect(restore.code).toBe(0);
    expect(await loadedIds(url)).toEqual(ORIGINAL);
    expect(JSON.parse(readFileSync(journal, "utf8")).status).toBe("restored");
  }, 60_000);

  it("a second Ctrl-C during the restore prints the journal and the restore command, exits 2, and that command works", async () => {
    const { url, loadReceived } = await spawnSlowMock(3_000);
    const out = mkdtempSync(join(tmpdir(), "lmcert-twice-"));
    const run = startCertify(url, out);
    const journal = await journalWithLoad(out);
    await loadReceived;
    let stderr = "";
    run.child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    run.child.kill("SIGINT");
    // The first Ctrl-C starts the restore, which waits for the load in flight.
    await pollUntil(async () => stderr, (text) => /putting the host back first/.test(text), { timeoutMs: 10_000 });
    run.child.kill("SIGINT");
    const { code, stderr: all } = await run.done;
    expect(code).toBe(2);
    expect(all).toContain(`journal: ${journal}`);
    expect(all).toContain(`put it back with: lmcert restore ${journal}`);
    expect(JSON.parse(readFileSync(journal, "utf8")).status).toBe("open");
    const restore = await runRestore(journal);
    expect(restore.code).toBe(0);
    expect(await loadedIds(url)).toEqual(ORIGINAL);
  }, 60_000);

  it("the third signal exits at once, without waiting for the second one's message to be written", () => {
    const exits: number[] = [];
    const writes: string[] = [];
    const controller = new AbortController();
    const journal = JournalFile.create(join(mkdtempSync(join(tmpdir(), "lmcert-third-")), "j.json"), {
      host: { name: "h", url: "http://127.0.0.1:1" },
      tokenEnv: null,
      driver: "rest-v1",
      snapshot: [],
    });
    const stop = handleInterrupts({
      controller,
      // A stderr that never finishes writing: the second signal's exit waits on it.
      stderr: { write: (text: string) => writes.push(text) },
      exit: ((code: number) => exits.push(code)) as (code: number) => never,
    });
    try {
      process.emit("SIGINT", "SIGINT");
      expect([controller.signal.aborted, exits]).toEqual([true, []]);
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([]);
      expect(writes.join("")).toContain(`lmcert restore ${journal.path}`);
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([2]);
    } finally {
      stop();
      journal.close("restored");
    }
  });

  it("an interrupted run without --allow-mutations does not claim to have put the host back", async () => {
    const mock = await mockHost("compliant");
    const controller = new AbortController();
    controller.abort(new Error("interrupted"));
    const { code, stderr } = await runCli(["certify", mock.url, "--no-browser"], controller.signal);
    expect(code).toBe(2);
    expect(stderr).toMatch(/interrupted: the certificate is incomplete \(nothing was changed: --allow-mutations was not given\)/);
    expect(stderr).not.toMatch(/put back/);
  });
});

describe("two lmcert processes, one server (issue 15.5)", () => {
  it("the second run's mutating checks are refused while the first holds the server's lock; the host ends as it began", async () => {
    const { url, loadReceived } = await spawnSlowMock(2_000);
    const first = startCertify(url, mkdtempSync(join(tmpdir(), "lmcert-first-")));
    await loadReceived;
    // The same server under another name, from another process and another --out.
    const second = startCertify(url.replace("127.0.0.1", "localhost"), mkdtempSync(join(tmpdir(), "lmcert-second-")));
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(b.stderr).toMatch(/another lmcert is changing this server \(loopback:\d+\): pid \d+, `lmcert certify http:\/\/127\.0\.0\.1:\d+ --allow-mutations/);
    expect(b.code).toBe(1);
    expect(a.code).not.toBe(2);
    expect(await loadedIds(url)).toEqual(ORIGINAL);
  }, 60_000);
});

describe("what an interrupted fleet says about its hosts", () => {
  it("no host is claimed to be put back when no mutation session ran", async () => {
    const mock = await mockHost("compliant");
    const dir = mkdtempSync(join(tmpdir(), "lmcert-int-fleet-"));
    const inventory = join(dir, "inventory.yaml");
    writeFileSync(inventory, `servers:\n  - name: a\n    url: ${mock.url}\n  - name: b\n    url: http://127.0.0.1:9\n`);
    const controller = new AbortController();
    controller.abort(new Error("interrupted"));
    const { code, stderr } = await runCli(["fleet", inventory, "--out", join(dir, "out"), "--no-browser", "--allow-mutations"], controller.signal);
    expect(code).toBe(2);
    expect(stderr).toMatch(/interrupted: the certificates are incomplete \(no check had changed a host yet\)/);
    expect(stderr).not.toMatch(/put back/);
  });
});

const chromium = findChromium();

describe.skipIf(!chromium.path)(`SIGINT during the real-browser check (${chromium.reason})`, () => {
  it("is lmcert's to handle, not Playwright's (which would exit 130 at once): the run ends as interrupted, exit 2", async () => {
    // /v1/models answers slowly, so Chromium's request is in flight when the signal comes.
    const mock = await mockHost("compliant", { cors: true, faults: [{ fault: { kind: "slow", delayMs: 3_000 }, paths: ["/v1/models"] }] });
    const child = spawn(process.execPath, [BIN, "certify", mock.url, "--only", "health.greeting,cors.browser", "--chromium", chromium.path as string], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    onTestFinished(() => void child.kill("SIGKILL"));
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
    // Chromium's own request (lmcert's other requests to /v1/models carry no browser user agent).
    const fromChromium = () => mock.requests.some((q) => q.path === "/v1/models" && /Chrome/.test(String(q.headers["user-agent"] ?? "")));
    const browserAsked = await pollUntil(async () => fromChromium(), (asked) => asked, { timeoutMs: 30_000 });
    expect(browserAsked.last).toBe(true);
    child.kill("SIGINT");
    expect(await done).toEqual({ code: 2, signal: null });
    expect(stderr).toMatch(/interrupted/);
  }, 60_000);
});
