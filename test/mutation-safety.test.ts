/**
 * Mutation safety (issue 15.2, 15.5): a mutating check's deadline comes from the standard, never the fixed
 * per-check deadline; a load lmcert started is waited for and undone, and never blamed on the host; one mutation
 * session per server at a time, even across processes.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { hostname, networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireHostLock, HostLockedError } from "../harness/lifecycle/host-lock.ts";
import { pendingLoadsIn } from "../harness/lifecycle/journal.ts";
import type { RestoreJournal } from "../contracts/journal.ts";
import { loadInventory } from "../harness/fleet/inventory-file.ts";
import { runFleet } from "../harness/fleet/run-fleet.ts";
import { normalisedOrigin, resolveServerKey, serverKey } from "../harness/net/server-identity.ts";
import { checks } from "../suites/index.ts";
import { tempDir, writeInventory } from "./helpers/fleet.ts";
import { certify, check, mockHost } from "./helpers/hosts.ts";

const lifecycle = (loadTimeoutSeconds: number) => ({ lifecycle: { model: null, loadTimeoutSeconds, allowDuplicateInstances: false } });

describe("deadlines of checks that load models", () => {
  it("a lifecycle model that loads slower than the per-check deadline still certifies, and the host is restored", async () => {
    // The per-check deadline (1.5 s) stands in for the old fixed 30 s; loads take 1.8 s; the standard allows 10 s.
    const mock = await mockHost("compliant", { loadLatencyMs: 1_800, dedupeLoads: true });
    const before = mock.state.instances.map((i) => i.id);
    const cert = await certify(mock.url, { allowMutations: true, checkTimeoutMs: 1_500, standard: lifecycle(10) });
    expect(cert.checks.filter((c) => c.required && c.status !== "passed").map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expect([check(cert, "lifecycle.load").status, check(cert, "lifecycle.load").reason]).toEqual(["passed", expect.stringMatching(/^loaded /)]);
    expect(check(cert, "lifecycle.unload").status).toBe("passed");
    // The load lmcert made is never read as the host's own doing.
    expect(check(cert, "lifecycle.no-implicit-load").status).toBe("passed");
    expect(cert.verdict).toBe("certified");
    expect(cert.mutations.restore).toBe("restored");
    expect(mock.state.instances.map((i) => i.id)).toEqual(before);
  }, 60_000);

  it("a check that outlives its deadline: the final restore waits for the load it started and undoes it", async () => {
    // The standard's budget is 1.5 s per load, the load takes 2.7 s: the HTTP request gives up (undici's timers
    // may fire up to ~1 s late, still before the load lands), the model lands later (within the second budget that
    // restore waits), and a restore must be the one to unload it.
    const mock = await mockHost("compliant", { loadLatencyMs: 2_700 });
    const before = mock.state.instances.map((i) => i.id);
    // The per-check deadline (1 s) is shorter than the load: only the standard's budget may bound a check that loads.
    // (Not shorter still: the read-only checks before it must finish on a busy CI machine.)
    const cert = await certify(mock.url, { allowMutations: true, checkTimeoutMs: 1_000, standard: lifecycle(1.5), timeoutMs: 2_000 });
    expect(cert.mutations.journal, cert.mutations.detail).not.toBeNull();
    expect(check(cert, "lifecycle.load").status).not.toBe("passed");
    expect(cert.verdict).not.toBe("certified");
    // Nothing lmcert did is blamed on the host.
    expect(check(cert, "lifecycle.no-implicit-load").reason).not.toMatch(/JIT is on/);
    expect(mock.state.instances.map((i) => i.id)).toEqual(before);
    // and it stays that way: no load of ours is still on its way.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(mock.state.instances.map((i) => i.id)).toEqual(before);
    const journal = JSON.parse(readFileSync(cert.mutations.journal as string, "utf8"));
    expect(journal.status).toBe("restored");
    expect(journal.mutations.find((m: { action: string }) => m.action === "load")).toMatchObject({ outcome: "gave-up", waitUntil: expect.any(String) });
  }, 60_000);
});

describe("lmcert's own late load is never blamed on the host (issue 15.2)", () => {
  it("lifecycle.no-implicit-load is inconclusive while lifecycle.load's load of that model is still on its way", async () => {
    // The load outlasts the standard's budget (1 s) and every wait of the run: it is still pending when
    // lifecycle.no-implicit-load asks for the same model. The old code called the refusal a pass.
    const mock = await mockHost("compliant", { loadLatencyMs: 30_000 });
    const cert = await certify(mock.url, { allowMutations: true, standard: lifecycle(1) });
    const load = check(cert, "lifecycle.load");
    const implicit = check(cert, "lifecycle.no-implicit-load");
    expect(load.status).not.toBe("passed");
    expect([implicit.status, implicit.reason]).toEqual(["inconclusive", expect.stringMatching(/a load of \S+ that lmcert started itself .* may still land/)]);
    expect(implicit.reason).toContain(String((load.observed as { model?: string } | undefined)?.model ?? ""));
    expect(cert.verdict).not.toBe("certified");
    expect(cert.mutations.restore).toBe("failed");
    expect(cert.mutations.detail).toMatch(/RESTORE UNCONFIRMED/);
  }, 60_000);
});

describe("one mutation session per server", () => {
  it("a second session on the same server is refused, naming who holds the lock; aliases share it", () => {
    const dir = mkdtempSync(join(tmpdir(), "lmcert-lock-"));
    const lock = acquireHostLock("http://127.0.0.1:41234", dir);
    try {
      let error: unknown;
      try {
        acquireHostLock("http://LOCALHOST:41234/", dir);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HostLockedError);
      expect((error as Error).message).toMatch(new RegExp(`pid ${process.pid}, \`lmcert[^\`]*\`, since \\d{4}-`));
      // Another server is another lock.
      acquireHostLock("http://127.0.0.1:41235", dir).release();
    } finally {
      lock.release();
    }
    acquireHostLock("http://[::1]:41234", dir).release();
  });

  it("a lock left by a dead process is taken over, with a note", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lmcert-lock-"));
    const child = spawn(process.execPath, ["-e", ""]);
    const deadPid = await new Promise<number>((resolve) => child.on("exit", () => resolve(child.pid as number)));
    const path = join(dir, "loopback_41234.lock");
    writeFileSync(path, JSON.stringify({ pid: deadPid, command: "lmcert certify x", startedAt: "2026-11-25T00:00:00.000Z", server: "loopback:41234", nonce: "n" }));
    const lock = acquireHostLock("http://127.0.0.1:41234", dir);
    expect(lock.note).toMatch(new RegExp(`took over the lock .* left by pid ${deadPid} \\(\`lmcert certify x\`, since 2026-11-25T00:00:00.000Z\\), which no longer runs`));
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it.runIf(process.platform === "linux")("a lock held by a zombie (exited, not yet reaped) is a dead process's lock", async (ctx) => {
    // `sh` starts a 1 s `sleep` in the background and becomes `sleep 30`, which never reaps it: once the short one
    // exits (after the exec, so `sh` cannot reap it either), it stays a zombie.
    const parent = spawn("sh", ["-c", "sleep 1 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()))));
      const deadline = Date.now() + 10_000;
      const state = () => {
        try {
          const stat = readFileSync(`/proc/${zombie}/stat`, "utf8");
          return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        } catch {
          return "gone";
        }
      };
      while (state() !== "Z" && state() !== "gone" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // Where a subreaper (a container's init, say) reaps orphans at once, no zombie can be made to test with.
      if (state() === "gone") return ctx.skip("the short-lived process was reaped at once: no zombie to test with here");
      expect(state()).toBe("Z");
      expect(() => process.kill(zombie, 0)).not.toThrow(); // why kill(pid, 0) alone cannot tell
      const dir = mkdtempSync(join(tmpdir(), "lmcert-lock-"));
      writeFileSync(join(dir, "loopback_41237.lock"), JSON.stringify({ pid: zombie, command: "lmcert certify z", startedAt: "2026-11-25T00:00:00.000Z", server: "loopback:41237", nonce: "z" }));
      const lock = acquireHostLock("http://127.0.0.1:41237", dir);
      expect(lock.note).toMatch(new RegExp(`left by pid ${zombie} .* which no longer runs`));
      lock.release();
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("certify while another process holds the server's lock: mutating checks error, not certified, host untouched", async () => {
    const mock = await mockHost("compliant");
    const dir = mkdtempSync(join(tmpdir(), "lmcert-lock-"));
    const previous = process.env["LMCERT_JOURNAL_DIR"];
    process.env["LMCERT_JOURNAL_DIR"] = dir;
    const lock = acquireHostLock(mock.url, dir);
    try {
      const cert = await certify(mock.url, { allowMutations: true });
      const record = check(cert, "lifecycle.load");
      expect([record.status, record.reason]).toEqual(["error", expect.stringMatching(/another lmcert is changing this server .* pid \d+/)]);
      expect(cert.verdict).not.toBe("certified");
      expect(mock.requests.filter((r) => r.path.startsWith("/api/v1/models/"))).toEqual([]);
    } finally {
      lock.release();
      if (previous === undefined) delete process.env["LMCERT_JOURNAL_DIR"];
      else process.env["LMCERT_JOURNAL_DIR"] = previous;
    }
  });
});

describe("the same server twice in an inventory (issue 15.5)", () => {
  it("URLs are normalised: case, default port and trailing slash; this machine's aliases share one key", () => {
    expect(normalisedOrigin("HTTP://Mac-Studio.LOCAL:1234/")).toBe("http://mac-studio.local:1234");
    expect(normalisedOrigin("http://host")).toBe(normalisedOrigin("http://host:80/"));
    expect(new Set(["http://localhost:1234", "http://127.0.0.1:1234/", "http://[::1]:1234"].map(serverKey))).toEqual(new Set(["loopback:1234"]));
    expect(serverKey("http://127.0.0.1:1235")).not.toBe(serverKey("http://127.0.0.1:1234"));
  });

  it("every address of this machine is one server per port: 127.0.0.0/8, ::ffff:127.x, its hostname, its interfaces", () => {
    const own = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => (a.family === "IPv6" ? `[${a.address.replace(/%.*$/, "")}]` : a.address)));
    const urls = ["http://127.0.0.2:1234", "http://127.0.0.3:1234/", "http://127.255.0.9:1234", "http://[::ffff:127.0.0.1]:1234", "http://[::FFFF:7f00:2]:1234", `http://${hostname()}:1234`, "http://LocalHost:1234", ...own.map((a) => `http://${a}:1234`)];
    expect(new Set(urls.map(serverKey))).toEqual(new Set(["loopback:1234"]));
    // A mapped address that is not this machine's is that IPv4 host.
    expect(serverKey("http://[::ffff:10.0.0.100]:1234")).toBe(serverKey("http://10.0.0.100:1234"));
  });

  it("two aliases of this machine (127.0.0.2, 127.0.0.3) take one lock", () => {
    const dir = mkdtempSync(join(tmpdir(), "lmcert-lock-"));
    const lock = acquireHostLock("http://127.0.0.2:41236", dir);
    try {
      expect(() => acquireHostLock("http://127.0.0.3:41236", dir)).toThrow(HostLockedError);
      expect(() => acquireHostLock("http://[::ffff:127.0.0.1]:41236", dir)).toThrow(HostLockedError);
    } finally {
      lock.release();
    }
  });

  it("a DNS name is keyed by the address it resolves to; a name of this machine by `loopback`; a failed lookup keeps the name", async () => {
    // A fake resolver: no traffic leaves the machine.
    const table: Record<string, string[]> = { "mac-studio.lan": ["10.0.0.102", "10.0.0.100"], "me.example": ["127.0.1.1"] };
    const lookup = async (host: string) => {
      const addresses = table[host];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      return addresses.map((address) => ({ address }));
    };
    expect(await resolveServerKey("http://Mac-Studio.lan:1234", lookup)).toBe("10.0.0.100:1234");
    // Remembered: the lock and journal lookups (sync) now see the name as its address.
    expect(serverKey("http://mac-studio.lan:1234/")).toBe(serverKey("http://10.0.0.100:1234"));
    expect(await resolveServerKey("http://me.example:1234", lookup)).toBe("loopback:1234");
    expect(await resolveServerKey("http://nowhere.invalid:1234", lookup)).toBe("nowhere.invalid:1234");
    // The system resolver, for `localhost` only (no traffic beyond this machine).
    expect(await resolveServerKey("http://localhost:1234")).toBe("loopback:1234");
  });

  it.each([
    ["a trailing slash", "http://127.0.0.1:5/"],
    ["upper case", "HTTP://127.0.0.1:5"],
  ])("an exact duplicate (%s) is rejected with the file and line of both", (_name, second) => {
    const dir = tempDir();
    const path = writeInventory(dir, 5, [{ name: "a", url: "http://127.0.0.1:5" }, { name: "b", url: second }]);
    expect(() => loadInventory(path)).toThrow(/inventory\.yaml:6:\d+: servers\[1\]\.url: .* is the same server as servers\[0\] \(.*inventory\.yaml:4:\d+, "a"\): list each server once/);
  });

  it.each([
    ["127.0.0.1 and localhost", "127.0.0.1", "127.0.0.1", "localhost"],
    ["127.0.0.2 and 127.0.0.3 (server bound to 0.0.0.0)", "0.0.0.0", "127.0.0.2", "127.0.0.3"],
  ])("aliases of one server (%s) are certified one after another, never at once, and the host is left as found", async (_name, bindHost, first, second) => {
    const mock = await mockHost("compliant", { loadLatencyMs: 150, bindHost });
    const before = mock.state.instances.map((i) => i.id);
    const port = new URL(mock.url).port;
    const dir = tempDir();
    const path = writeInventory(dir, Number(port), [
      { name: "by-ip", url: `http://${first}:${port}` },
      { name: "by-name", url: `http://${second}:${port}` },
    ]);
    const events: string[] = [];
    const previous = process.env["LMCERT_JOURNAL_DIR"];
    process.env["LMCERT_JOURNAL_DIR"] = tempDir("lmcert-locks-");
    try {
      const { certificates } = await runFleet({
        inventory: loadInventory(path),
        checks,
        concurrency: 4,
        hostDeadlineMs: 60_000,
        timeoutMs: 2_000,
        out: join(dir, "out"),
        allowMutations: true,
        chromium: { path: null, reason: "not needed" },
        probeAddresses: ["127.0.0.2"],
        reporters: [{ onRunStart: (plan) => void events.push(`start ${plan.host.name}`), onHostEnd: (cert) => void events.push(`end ${cert.host.name}`) }],
      });
      expect(events).toEqual(["start by-ip", "end by-ip", "start by-name", "end by-name"]);
      for (const cert of certificates) {
        expect([cert.host.name, check(cert, "lifecycle.load").status, cert.mutations.restore]).toEqual([cert.host.name, "passed", "restored"]);
      }
    } finally {
      if (previous === undefined) delete process.env["LMCERT_JOURNAL_DIR"];
      else process.env["LMCERT_JOURNAL_DIR"] = previous;
    }
    expect(mock.state.instances.map((i) => i.id)).toEqual(before);
  }, 60_000);
});

describe("what a journal says is still pending (issue 15.1)", () => {
  it("a load or JIT chat without an answer, or given up on, is pending until its waitUntil; landed, refused and ended ones are not", () => {
    const at = "2026-11-26T01:00:00.000Z";
    const until = "2026-11-26T01:02:00.000Z";
    const mutation = (action: "load" | "jit-request", model: string, extra: Partial<RestoreJournal["mutations"][number]> = {}) => ({ at, action, model, instanceId: null, waitUntil: until, ...extra });
    const journal: RestoreJournal = {
      $schema: "https://lmcert.dev/schemas/restore-journal/v1",
      host: { name: "h", url: "http://127.0.0.1:1234" },
      tokenEnv: null,
      driver: "rest-v1",
      createdAt: at,
      snapshot: [],
      status: "open",
      mutations: [
        mutation("load", "in-flight"),
        mutation("load", "landed", { instanceId: "landed", outcome: "landed" }),
        mutation("load", "refused", { outcome: "refused" }),
        mutation("load", "gave-up", { outcome: "gave-up", waitUntil: "2026-11-26T01:03:00.000Z" }),
        mutation("jit-request", "chat-in-flight"),
        mutation("jit-request", "chat-answered", { outcome: "ended" }),
      ],
    };
    expect(pendingLoadsIn(journal, 120_000)).toEqual([
      { model: "in-flight", waitUntil: Date.parse(until) },
      { model: "gave-up", waitUntil: Date.parse("2026-11-26T01:03:00.000Z") },
      { model: "chat-in-flight", waitUntil: Date.parse(until) },
    ]);
  });
});
