/**
 * Issue 12 §3: every recipe in the README runs as printed. The recipes are read from README.md itself, so this test
 * breaks when the README drifts. Each runs on its "first night" (no history folder yet) against a mock host, with a
 * stand-in `npx` that runs this checkout's lmcert. Only the paths that name the operator's machine are mapped to
 * temp folders (/srv/lmcert, /Users/ops/lmcert, the node_exporter folder).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, openSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/fleet.ts";
import { mockHost } from "./helpers/hosts.ts";

const ROOT = join(import.meta.dirname, "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
/** Spawned lmcert processes on a busy 2-core machine. */
const RUN_TIMEOUT_MS = 60_000;

/** The README's fenced blocks in a language, optionally only those containing `marker`. */
function blocks(language: string, marker = ""): string[] {
  return [...README.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === language && m[2]!.includes(marker)).map((m) => m[2]!);
}

function onlyBlock(language: string, marker = ""): string {
  const found = blocks(language, marker);
  expect(found, `exactly one \`\`\`${language} block${marker ? ` containing ${marker}` : ""} in README.md`).toHaveLength(1);
  return found[0]!;
}

/**
 * What an operator has before the first night: a folder with an inventory (one host: a mock on loopback), its
 * standard, and a signing key, but no history folder. Plus a bin folder whose `npx lmcert …` runs this checkout.
 * The standard binds 127.0.0.1, so no check probes beyond loopback.
 */
async function operatorFolder(): Promise<{ dir: string; bin: string }> {
  const mock = await mockHost("compliant", { bindHost: "127.0.0.1" });
  const dir = tempDir("lmcert-recipe-");
  writeFileSync(join(dir, "standard.yaml"), `standard: cluster-standard\nversion: 1\nbind: { address: 127.0.0.1, port: ${mock.port} }\n`);
  writeFileSync(join(dir, "inventory.yaml"), `standard: ./standard.yaml\nservers:\n  - name: studio\n    url: ${mock.url}\n`);
  expect((await runCli(["keygen", "--out-dir", dir])).code).toBe(0);
  const bin = tempDir("lmcert-bin-");
  writeFileSync(join(bin, "npx"), `#!/bin/sh\n[ "$1" = lmcert ] && shift\nexec "${process.execPath}" "${join(ROOT, "bin", "lmcert.js")}" "$@"\n`);
  chmodSync(join(bin, "npx"), 0o755);
  return { dir, bin };
}

/** A bare environment like cron's or launchd's. No Chromium: the browser check is optional and has its own tests. */
function bareEnv(path: string): NodeJS.ProcessEnv {
  return { PATH: path, HOME: tempDir("lmcert-home-"), LMCERT_CHROMIUM: "/nonexistent/chromium", NO_COLOR: "1" };
}

function run(file: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; stdio?: "pipe" | number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const fd = options.stdio;
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", fd ?? "pipe", fd ?? "pipe"] });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

function expectCertifiedRun(out: string, options: { signed: boolean }): void {
  const summary = JSON.parse(readFileSync(join(out, "fleet-summary.json"), "utf8")) as { counts: { hosts: number; certified: number } };
  expect(summary.counts).toMatchObject({ hosts: 1, certified: 1 });
  for (const file of ["lmcert.junit.xml", "lmcert.html", "lmcert.prom", "lmcert.md"]) expect(existsSync(join(out, file)), file).toBe(true);
  const certificate = JSON.parse(readFileSync(join(out, "studio", "latest.json"), "utf8")) as { signature?: unknown };
  expect(certificate.signature !== undefined, "signed with --sign-key").toBe(options.signed);
}

describe("the README's nightly recipes, as printed", () => {
  it("cron: the crontab lines run in /bin/sh on the first night, log to history/ and hand the .prom to node_exporter", { timeout: RUN_TIMEOUT_MS }, async () => {
    const crontab = onlyBlock("cron").trim().split("\n");
    const env = Object.fromEntries(crontab.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    const jobs = crontab.filter((l) => !/^[A-Z_]+=/.test(l) && !l.startsWith("#"));
    expect(jobs).toHaveLength(1);
    const fields = /^(\S+ \S+ \S+ \S+ \S+) (.+)$/.exec(jobs[0]!);
    expect(fields?.[1]).toBe("30 2 * * *");
    const command = fields![2]!;
    // cron turns an unescaped % into a newline: a recipe with one would not run as printed.
    expect(command).not.toMatch(/(^|[^\\])%/);

    const { dir, bin } = await operatorFolder();
    const textfile = tempDir("lmcert-textfile-");
    const mapped = command.replaceAll("/srv/lmcert", dir).replaceAll("/var/lib/node_exporter/textfile", textfile);
    expect(mapped).not.toBe(command);
    // The crontab's PATH, with the stand-in npx where the real one would be.
    const r = await run("/bin/sh", ["-c", mapped], { env: bareEnv(`${bin}:${env["PATH"] ?? "/usr/bin:/bin"}`) });
    expect(r.code, `${r.output}\n${existsSync(join(dir, "history", "last-run.log")) ? readFileSync(join(dir, "history", "last-run.log"), "utf8") : "(no log)"}`).toBe(0);
    expect(readFileSync(join(dir, "history", "last-run.log"), "utf8")).toMatch(/fleet: 1 of 1 certified/);
    expect(readFileSync(join(textfile, "lmcert.prom"), "utf8")).toMatch(/^lmcert_certified\{[^}]*host="studio"[^}]*\} 1$/m);
    expectCertifiedRun(join(dir, "history"), { signed: true });
  });

  const python = spawnSync("python3", ["-c", "import plistlib"], { stdio: "ignore" }).status === 0;
  it.skipIf(!python)(`launchd: the plist parses as a property list (python3 plistlib${python ? "" : ": not installed here"}) and its job runs as launchd would run it`, { timeout: RUN_TIMEOUT_MS }, async () => {
    const xml = onlyBlock("xml", "<plist");
    // plutil is macOS-only; plistlib is a real property-list parser (expat underneath), so a malformed plist fails.
    const json = execFileSync("python3", ["-c", "import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))"], { input: xml, encoding: "utf8" });
    const plist = z.strictObject({
      Label: z.string().regex(/^[\w.-]+$/),
      WorkingDirectory: z.string().startsWith("/"),
      EnvironmentVariables: z.record(z.string(), z.string()).optional(),
      ProgramArguments: z.array(z.string()).min(2),
      StartCalendarInterval: z.strictObject({ Hour: z.number().int().min(0).max(23), Minute: z.number().int().min(0).max(59) }),
      StandardOutPath: z.string().startsWith("/"),
      StandardErrorPath: z.string().startsWith("/"),
    }).parse(JSON.parse(json));
    expect(plist.ProgramArguments[0], "launchd runs ProgramArguments[0] by absolute path").toMatch(/^\//);

    const { dir, bin } = await operatorFolder();
    const map = (path: string) => path.replaceAll(plist.WorkingDirectory, dir);
    // launchd opens the log itself, before the job starts: its folder must already exist on the first night.
    const log = map(plist.StandardOutPath);
    let fd: number;
    try {
      fd = openSync(log, "a");
    } catch (error) {
      throw new Error(`launchd could not open StandardOutPath ${plist.StandardOutPath}: ${(error as Error).message}`);
    }
    const [program, ...args] = plist.ProgramArguments;
    const path = `${bin}:${plist.EnvironmentVariables?.["PATH"] ?? "/usr/bin:/bin:/usr/sbin:/sbin"}`;
    const r = await run(program!, args, { cwd: plist.WorkingDirectory.replaceAll(plist.WorkingDirectory, dir), env: { ...bareEnv(path), ...Object.fromEntries(Object.entries(plist.EnvironmentVariables ?? {}).filter(([k]) => k !== "PATH")) }, stdio: fd });
    closeSync(fd);
    expect(r.code, readFileSync(log, "utf8")).toBe(0);
    expect(readFileSync(log, "utf8")).toMatch(/fleet: 1 of 1 certified/);
    expect(map(plist.StandardErrorPath)).toBe(log);
    const out = args[args.indexOf("--out") + 1]!;
    expectCertifiedRun(join(dir, out), { signed: args.includes("--sign-key") });
  });

  it("GitHub Actions: the workflow has the shape Actions accepts, and its shell steps run in bash -e on a cache miss", { timeout: RUN_TIMEOUT_MS }, async () => {
    const workflow = z.strictObject({
      on: z.strictObject({
        schedule: z.array(z.strictObject({ cron: z.string().regex(/^\S+ \S+ \S+ \S+ \S+$/) })).min(1),
        workflow_dispatch: z.object({}).optional(),
      }),
      jobs: z.record(z.string().regex(/^[A-Za-z_][\w-]*$/), z.strictObject({
        "runs-on": z.union([z.string(), z.array(z.string())]),
        steps: z.array(z.strictObject({
          uses: z.string().regex(/^[\w.-]+\/[\w.-]+@v\d+$/).optional(),
          run: z.string().optional(),
          with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
          env: z.record(z.string(), z.string()).optional(),
          if: z.string().optional(),
        }).refine((s) => (s.uses === undefined) !== (s.run === undefined), "a step has exactly one of uses/run")).min(1),
      })),
    }).parse(parseYaml(onlyBlock("yaml", "jobs:")));

    const { dir, bin } = await operatorFolder();
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const shellSteps = steps.filter((s) => s.run !== undefined && s.run.trim() !== "npm ci"); // npm ci installs lmcert; the stand-in npx is it
    expect(shellSteps.length).toBeGreaterThan(0);
    expect(existsSync(join(dir, "history")), "first run: the cache restored nothing").toBe(false);
    for (const step of shellSteps) {
      // Secrets are empty here; the inventory names no token variable.
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, v.replace(/\$\{\{[^}]*\}\}/g, "")]));
      // GitHub runs `run:` steps as `bash -e {0}`.
      const r = await run("bash", ["-e", "-c", step.run!], { cwd: dir, env: { ...bareEnv(`${bin}:/usr/local/bin:/usr/bin:/bin`), ...stepEnv } });
      expect(r.code, `${step.run}\n${r.output}`).toBe(0);
    }
    expectCertifiedRun(join(dir, "history"), { signed: false });
    // What the cache keeps and the upload publishes exists after the run.
    const cache = steps.find((s) => s.uses?.startsWith("actions/cache@"));
    expect(existsSync(join(dir, String(cache?.with?.["path"])))).toBe(true);
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    const glob = String(upload?.with?.["path"]);
    const [folder, pattern] = [glob.slice(0, glob.lastIndexOf("/")), glob.slice(glob.lastIndexOf("/") + 1)];
    const matcher = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    const published = readdirSync(join(dir, folder)).filter((f) => matcher.test(f));
    expect(published).toEqual(expect.arrayContaining(["lmcert.junit.xml", "lmcert.html", "lmcert.prom"]));
  });
});
