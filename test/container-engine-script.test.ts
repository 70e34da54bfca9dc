/**
 * scripts/container-engine.sh down stops only the engine `up` started (issue 13 follow-up): an engine `up` reused,
 * or a pidfile naming some other process, is left alone. No engine needed: the "engine" here is a plain process.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";

const SCRIPT = join(import.meta.dirname, "..", "scripts", "container-engine.sh");

function bystander(): number {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  onTestFinished(() => void child.kill("SIGKILL"));
  if (child.pid === undefined) throw new Error("could not start a process");
  return child.pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function down(stateDir: string, started: string | undefined): { status: number | null; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, LMCERT_ENGINE_DIR: stateDir, LMCERT_ENGINE_SOCKET: join(stateDir, "podman.sock") };
  delete env["LMCERT_ENGINE_STARTED"];
  if (started !== undefined) env["LMCERT_ENGINE_STARTED"] = started;
  const r = spawnSync("bash", [SCRIPT, "down"], { env, encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

describe("scripts/container-engine.sh down", () => {
  it("does not kill the pidfile's process when up reused an engine (LMCERT_ENGINE_STARTED unset)", () => {
    const dir = mkdtempSync(join(tmpdir(), "lmcert-engine-"));
    const pid = bystander();
    writeFileSync(join(dir, "podman.pid"), `${pid}\n`);
    const r = down(dir, undefined);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/nothing to stop: LMCERT_ENGINE_STARTED is not set/);
    expect(alive(pid)).toBe(true);
  });

  it("does not kill a pid that the pidfile does not name, nor one that is not a podman service", () => {
    const dir = mkdtempSync(join(tmpdir(), "lmcert-engine-"));
    const pid = bystander();
    writeFileSync(join(dir, "podman.pid"), `${pid}\n`);
    expect(down(dir, String(pid + 100_000)).stderr).toMatch(/does not name it/);
    expect(alive(pid)).toBe(true);
    expect(down(dir, String(pid)).stderr).toMatch(/is not a podman system service/);
    expect(alive(pid)).toBe(true);
  });
});
