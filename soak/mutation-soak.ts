/**
 * Soak test for mutation safety (issue 15): 50 SIGINTs at random moments, and 20 kill -9 + `lmcert restore`
 * trials, against mocks whose loads take 1–2 s. Every trial must leave the host's loaded set as it was: right after
 * lmcert exits (or after `lmcert restore`), and still after every load lmcert sent could have landed.
 * Then 8 runs whose loads are slower than the standard's lifecycle.loadTimeoutSeconds (1 s budget, 2.5 s loads):
 * each must either leave the host unchanged and say "restored", or say RESTORE UNCONFIRMED and exit 2 (and then
 * `lmcert restore` must put the host back). Never "restored" with a model landing later.
 *
 * Too slow for `npm test` (about a minute of child processes); run with `npm run soak` (CI runs it after npm test).
 * Trials run a few at a time, each against its own mock on an ephemeral loopback port.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preset } from "../fixtures/mock/presets.ts";
import { startMock, type RunningMock } from "../fixtures/mock/server.ts";

const BIN = join(import.meta.dirname, "..", "bin", "lmcert.js");
const SIGINT_TRIALS = Number(process.env["SOAK_SIGINT_TRIALS"] ?? 50);
const KILL_TRIALS = Number(process.env["SOAK_KILL_TRIALS"] ?? 20);
const SLOW_LOAD_TRIALS = Number(process.env["SOAK_SLOW_LOAD_TRIALS"] ?? 8);
/**
 * Slow-load trials: the standard allows 1 s per load, the mock takes 2.5 s. undici's timers may fire ~1 s late on a
 * loaded machine, so lmcert may see a load answer, give up on it, or see it land during its wait: each of those is
 * fine as long as what lmcert says matches what the host does. After lmcert exits, SLOW_SETTLE_MS is longer than
 * any load it sent could still take.
 */
const SLOW_BUDGET_S = 1;
const SLOW_LOAD_MS = 2_500;
const SLOW_SETTLE_MS = SLOW_LOAD_MS + 2_000;
const CONCURRENCY = Number(process.env["SOAK_CONCURRENCY"] ?? 6);
/** Loads take this long on the mock: long enough that a signal often lands mid-load. */
const LOAD_MS = [1_000, 2_000] as const;
/** Longest a certify run against these mocks takes, so random moments cover the whole run. */
const RUN_SPAN_MS = 9_000;

// Journals without --out and the per-server locks: a folder of this soak's own.
process.env["LMCERT_JOURNAL_DIR"] ??= mkdtempSync(join(tmpdir(), "lmcert-soak-journals-"));

interface TrialResult {
  readonly ok: boolean;
  readonly kind:
    | "interrupted"
    | "completed"
    | "before-start"
    | "killed-with-load-pending"
    | "killed-restored"
    | "killed-before-change"
    | "slow-load-restored"
    | "slow-load-unconfirmed";
  readonly detail: string;
}

const random = (min: number, max: number) => min + Math.random() * (max - min);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const loaded = (mock: RunningMock) => mock.state.instances.map((i) => i.id).sort();

function startCertify(mock: RunningMock, out: string, loadTimeoutSeconds = 10) {
  const standard = join(out, "standard.yaml");
  writeFileSync(standard, `standard: soak\nversion: 1\nbind: { address: 0.0.0.0, port: ${new URL(mock.url).port} }\nlifecycle: { loadTimeoutSeconds: ${loadTimeoutSeconds} }\n`);
  const child = spawn(process.execPath, [BIN, "certify", mock.url, "--allow-mutations", "--out", out, "--name", "host", "--standard", standard, "--no-browser", "--probe-address", "127.0.0.2"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

function journals(out: string): { path: string; status: string }[] {
  const dir = join(out, "host");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".restore-journal.json"))
    .map((f) => ({ path: join(dir, f), status: (JSON.parse(readFileSync(join(dir, f), "utf8")) as { status: string }).status }));
}

/** After lmcert is gone, any load it sent has landed within LOAD_MS: the set must still be the original. */
async function stillUnchanged(mock: RunningMock, before: string[]): Promise<string | null> {
  const now = loaded(mock).join(",");
  if (now !== before.join(",")) return `loaded [${now}] right after, was [${before.join(",")}]`;
  await sleep(LOAD_MS[1] + 500);
  const later = loaded(mock).join(",");
  return later === before.join(",") ? null : `loaded [${later}] ${LOAD_MS[1] + 500} ms later, was [${before.join(",")}]`;
}

async function withMock<T>(body: (mock: RunningMock, out: string) => Promise<T>, loadLatencyMs = Math.round(random(...LOAD_MS))): Promise<T> {
  const mock = await startMock(preset("mac-studio-1", { loadLatencyMs }), { host: "0.0.0.0", port: 0 });
  try {
    return await body(mock, mkdtempSync(join(tmpdir(), "lmcert-soak-")));
  } finally {
    await mock.close();
  }
}

function sigintTrial(): Promise<TrialResult> {
  return withMock(async (mock, out) => {
    const before = loaded(mock);
    const run = startCertify(mock, out);
    const at = random(300, RUN_SPAN_MS);
    const timer = setTimeout(() => run.child.kill("SIGINT"), at);
    const { code, signal, stderr } = await run.done;
    clearTimeout(timer);
    // A signal before Node has run any of lmcert's code kills it by default: nothing could have been touched.
    const beforeStart = signal === "SIGINT" && stderr === "";
    const interrupted = /interrupted/.test(stderr);
    const problems: string[] = [];
    if (interrupted && code !== 2) problems.push(`interrupted run exited ${code ?? signal}, not 2`);
    if (!interrupted && !beforeStart && code !== 0 && code !== 1) problems.push(`exit ${code ?? signal}: ${stderr.slice(-300)}`);
    const open = journals(out).filter((j) => j.status !== "restored");
    if (open.length > 0) problems.push(`journal left ${open.map((j) => `${j.status} (${j.path})`).join(", ")}`);
    const changed = await stillUnchanged(mock, before);
    if (changed) problems.push(changed);
    return { ok: problems.length === 0, kind: beforeStart ? "before-start" : interrupted ? "interrupted" : "completed", detail: `SIGINT at ${Math.round(at)} ms: ${problems.join("; ") || "ok"}` };
  });
}

function killTrial(): Promise<TrialResult> {
  return withMock(async (mock, out) => {
    const before = loaded(mock);
    const run = startCertify(mock, out);
    // Kill while the host is being changed: at a random moment after the first journaled change (a journal entry
    // is written just before its request goes out), within one load's time.
    const t0 = performance.now();
    while (!journals(out).some((j) => JSON.parse(readFileSync(j.path, "utf8")).mutations.length > 0) && performance.now() - t0 < RUN_SPAN_MS * 2) {
      if (run.child.exitCode !== null) break;
      await sleep(25);
    }
    const at = performance.now() - t0 + random(0, LOAD_MS[1] + 500);
    const timer = setTimeout(() => run.child.kill("SIGKILL"), at - (performance.now() - t0));
    await run.done;
    clearTimeout(timer);
    const problems: string[] = [];
    const unfinished = journals(out).filter((j) => j.status !== "restored");
    const pendingLoad = unfinished.some((j) =>
      (JSON.parse(readFileSync(j.path, "utf8")) as { mutations: { action: string; outcome?: string }[] }).mutations.some((m) => m.action === "load" && m.outcome === undefined),
    );
    for (const journal of unfinished) {
      const restore = await runRestore(journal.path);
      if (restore.code !== 0) problems.push(`lmcert restore exited ${restore.code}: ${restore.stderr.trim()}`);
    }
    const changed = await stillUnchanged(mock, before);
    if (changed) problems.push(changed);
    return {
      ok: problems.length === 0,
      kind: pendingLoad ? "killed-with-load-pending" : unfinished.length > 0 ? "killed-restored" : "killed-before-change",
      detail: `kill -9 at ${Math.round(at)} ms: ${problems.join("; ") || "ok"}`,
    };
  });
}

function runRestore(journal: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "restore", journal], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** A full run whose loads outlast the standard's budget: what lmcert says about the restore must hold afterwards. */
function slowLoadTrial(): Promise<TrialResult> {
  return withMock(async (mock, out) => {
    const before = loaded(mock);
    const { code, stderr } = await startCertify(mock, out, SLOW_BUDGET_S).done;
    const problems: string[] = [];
    const unconfirmed = /RESTORE UNCONFIRMED/.test(stderr);
    const all = journals(out);
    if (unconfirmed) {
      if (code !== 2) problems.push(`said RESTORE UNCONFIRMED but exited ${code}, not 2`);
      if (!all.some((j) => j.status === "failed")) problems.push(`said RESTORE UNCONFIRMED but no journal is marked failed`);
      // Every load that will land has landed by now: `lmcert restore` must find and undo what lmcert loaded. It may
      // still say RESTORE UNCONFIRMED (exit 2) for a request that never loads anything (a JIT chat refused by a
      // JIT-off host): it cannot prove a negative, and says so. What must hold is the loaded set.
      await sleep(SLOW_SETTLE_MS);
      for (const journal of all.filter((j) => j.status !== "restored")) {
        const restore = await runRestore(journal.path);
        if (restore.code !== 0 && !(restore.code === 2 && /RESTORE UNCONFIRMED/.test(restore.stderr))) {
          problems.push(`lmcert restore exited ${restore.code}: ${restore.stderr.trim()}`);
        }
      }
      const after = loaded(mock).join(",");
      if (after !== before.join(",")) problems.push(`after lmcert restore: loaded [${after}], was [${before.join(",")}]`);
    } else {
      if (code !== 0 && code !== 1) problems.push(`exit ${code}: ${stderr.slice(-300)}`);
      const open = all.filter((j) => j.status !== "restored");
      if (open.length > 0) problems.push(`journal left ${open.map((j) => `${j.status} (${j.path})`).join(", ")} without RESTORE UNCONFIRMED`);
      // Said restored: no load of lmcert's may land afterwards.
      const now = loaded(mock).join(",");
      if (now !== before.join(",")) problems.push(`said restored, yet loaded [${now}] right after, was [${before.join(",")}]`);
      await sleep(SLOW_SETTLE_MS);
      const later = loaded(mock).join(",");
      if (later !== before.join(",")) problems.push(`said restored, yet loaded [${later}] ${SLOW_SETTLE_MS} ms later (a load landed after "restored"), was [${before.join(",")}]`);
    }
    return { ok: problems.length === 0, kind: unconfirmed ? "slow-load-unconfirmed" : "slow-load-restored", detail: `slow load (${SLOW_LOAD_MS} ms, budget ${SLOW_BUDGET_S} s): ${problems.join("; ") || "ok"}` };
  }, SLOW_LOAD_MS);
}

async function pool(count: number, trial: () => Promise<TrialResult>): Promise<TrialResult[]> {
  const results: TrialResult[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, count) }, async () => {
      while (started < count) {
        started += 1;
        results.push(await trial().catch((error: unknown) => ({ ok: false, kind: "completed" as const, detail: `trial crashed: ${String(error)}` })));
      }
    }),
  );
  return results;
}

function summarise(name: string, results: readonly TrialResult[]): boolean {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  const kinds = [...counts].map(([kind, n]) => `${n} ${kind}`).join(", ");
  const failed = results.filter((r) => !r.ok);
  console.log(`soak: ${name}: ${results.length} trials (${kinds}); ${results.length - failed.length} left the loaded set unchanged, ${failed.length} did not`);
  for (const f of failed) console.log(`  FAILED: ${f.detail}`);
  return failed.length === 0;
}

const started = performance.now();
const sigint = await pool(SIGINT_TRIALS, sigintTrial);
const kill = await pool(KILL_TRIALS, killTrial);
const slow = await pool(SLOW_LOAD_TRIALS, slowLoadTrial);
const ok = [
  summarise("SIGINT at a random moment", sigint),
  summarise("kill -9 + lmcert restore", kill),
  summarise(`loads slower than lifecycle.loadTimeoutSeconds (${SLOW_LOAD_MS} ms vs ${SLOW_BUDGET_S} s)`, slow),
].every(Boolean);
console.log(`soak: ${ok ? "passed" : "FAILED"} in ${Math.round((performance.now() - started) / 1000)} s`);
process.exit(ok ? 0 : 1);
