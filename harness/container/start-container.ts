/**
 * @module Starts a host from an image with testcontainers, waits for GET /lmstudio-greeting on the published port,
 * and guarantees the container is removed: after the run, after a failed start, and on Ctrl-C.
 */
import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import type { ContainerRuntimeClient, StartedTestContainer } from "testcontainers";
import type { ContainerRecord, ContainerTarget } from "../../contracts/container.ts";
import { LmcertError, UsageError } from "../errors.ts";
import { redactSecrets } from "../http/evidence.ts";
import { containerEngine, testcontainers } from "./engine.ts";
import { ContainerExitedError, ContainerNoAnswerError, greetingWait, WaitInterruptedError } from "./greeting-wait.ts";

/** Every container lmcert starts carries these labels, so it can always be found and removed. */
export const RUN_LABEL = "dev.lmcert.run";
export const HOST_LABEL = "dev.lmcert.host";

const LOG_LINES = 20;
const LOG_LINE_CHARS = 500;

/** The image could not be found or pulled: the engine's own message, exit 2. */
export class ContainerImageError extends LmcertError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("LMCERT_CONTAINER_IMAGE", message, options);
  }
}

/** Ctrl-C while the container was starting; it has been removed. */
export class ContainerInterruptedError extends LmcertError {
  constructor(message: string) {
    super("LMCERT_INTERRUPTED", message);
  }
}

export interface RunningContainerHost {
  /** Base URL through the published port, e.g. http://127.0.0.1:40213. */
  readonly url: string;
  readonly record: ContainerRecord;
  /** Stops and removes the container; safe to call twice. */
  stop(): Promise<void>;
}

export type ContainerStart = { readonly ok: true; readonly host: RunningContainerHost } | { readonly ok: false; readonly record: ContainerRecord };

export interface StartOptions {
  readonly hostName: string;
  readonly signal?: AbortSignal;
}

/**
 * Resolves with the running host, or with a record of why it never answered (it exited, or the port never opened
 * before the deadline). Rejects for harness problems only: no engine, an image that cannot be had, Ctrl-C.
 */
export async function startContainerHost(target: ContainerTarget, options: StartOptions): Promise<ContainerStart> {
  const models = target.models === undefined ? null : checkedModelsDir(target.models);
  const engine = await containerEngine();
  const image = await resolveImage(engine, target.image);
  const { GenericContainer } = testcontainers();
  const probeHost = engine.info.containerRuntime.host === "localhost" ? "127.0.0.1" : engine.info.containerRuntime.host;
  const runId = randomUUID();
  // Env values may be tokens; a container that echoes its environment must not put them in a certificate.
  const logs = new LogTail(Object.values(target.env).filter((v) => v.length >= 8));
  const record = (startup: ContainerRecord["startup"], detail: string): ContainerRecord => ({
    image: target.image,
    imageId: image.id,
    repoDigest: image.repoDigest,
    port: target.port,
    env: Object.keys(target.env).sort(),
    cmd: target.cmd ?? null,
    models,
    startup,
    detail,
    logTail: startup === "answered" ? [] : logs.lines(),
  });
  let container = new GenericContainer(target.image)
    .withLabels({ [RUN_LABEL]: runId, [HOST_LABEL]: options.hostName })
    .withExposedPorts(target.port)
    .withEnvironment(target.env)
    .withLogConsumer((stream: Readable) => logs.follow(stream))
    // forListeningPorts() needs a shell inside the image; an HTTP probe does not (and is what `lms` asks).
    .withWaitStrategy(greetingWait({ host: probeHost, containerPort: target.port, signal: options.signal }))
    .withStartupTimeout(target.startupTimeoutMs);
  if (target.cmd) container = container.withCommand(target.cmd);
  if (models) container = container.withBindMounts([{ source: models, target: target.modelsPath, mode: "ro" }]);

  const starting = container.start();
  let started: StartedTestContainer;
  try {
    started = await untilAborted(starting, options.signal);
  } catch (error) {
    if (error instanceof ContainerInterruptedError || error instanceof WaitInterruptedError) {
      // Let the start settle first (the wait strategy gives up at once on Ctrl-C, and testcontainers then removes
      // the container): removing a container while the engine is still starting it can hang podman. Then sweep.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        starting.then((s) => s.stop({ timeout: 0 })).catch(() => undefined),
        new Promise((r) => (timer = setTimeout(r, 30_000))),
      ]);
      clearTimeout(timer);
      await removeRun(engine, runId);
      throw new ContainerInterruptedError(`interrupted while ${target.image} was starting; its container was removed`);
    }
    // testcontainers removes a container that failed its wait strategy; a container that never started is swept here.
    await removeRun(engine, runId);
    return { ok: false, record: record(...startFailure(error, target)) };
  }
  // 127.0.0.1, not "localhost": traffic stays on IPv4 loopback, where every engine publishes ports.
  const host = started.getHost() === "localhost" ? "127.0.0.1" : started.getHost();
  let stopped: Promise<void> | undefined;
  return {
    ok: true,
    host: {
      url: `http://${host.includes(":") ? `[${host}]` : host}:${started.getMappedPort(target.port)}`,
      record: record("answered", `GET /lmstudio-greeting answered on container port ${target.port}`),
      stop: () =>
        (stopped ??= started
          .stop({ timeout: 10_000 })
          .then(() => undefined)
          .catch(() => removeRun(engine, runId))),
    },
  };
}

function checkedModelsDir(dir: string): string {
  const absolute = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(absolute).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UsageError(`--container-models: ${dir} is not a folder`);
  return absolute;
}

interface ResolvedImage {
  readonly id: string | null;
  readonly repoDigest: string | null;
}

/** Pulls only when the engine does not have the image; the engine's own message when that fails. */
async function resolveImage(engine: ContainerRuntimeClient, reference: string): Promise<ResolvedImage> {
  const { ImageName } = testcontainers();
  let name;
  try {
    name = ImageName.fromString(reference);
  } catch (cause) {
    throw new UsageError(`--container: "${reference}" is not an image reference (${(cause as Error).message})`, { cause });
  }
  try {
    if (!(await engine.image.exists(name))) await engine.image.pull(name);
    const info = await engine.image.inspect(name);
    return { id: info.Id ?? null, repoDigest: info.RepoDigests?.[0] ?? null };
  } catch (cause) {
    throw new ContainerImageError(`lmcert: cannot get image ${reference}: ${engineMessage(cause)}`, { cause });
  }
}

/** The engine's message without dockerode's wrapping ("(HTTP code 500) server error - …"). */
function engineMessage(error: unknown): string {
  const e = error as { json?: { message?: unknown }; message?: unknown };
  const text = typeof e.json?.message === "string" ? e.json.message : String(e.message ?? error);
  return text.trim().split("\n")[0] ?? text;
}

function startFailure(error: unknown, target: ContainerTarget): [ContainerRecord["startup"], string] {
  if (error instanceof ContainerExitedError) {
    return ["exited", `the container exited${error.exitCode === null ? "" : ` (code ${error.exitCode})`} before GET /lmstudio-greeting answered on port ${target.port}`];
  }
  if (error instanceof ContainerNoAnswerError) {
    return ["no-answer", `GET /lmstudio-greeting did not answer on container port ${target.port} within ${target.startupTimeoutMs} ms (is the server bound to 0.0.0.0 inside the container?)`];
  }
  // e.g. the engine could not run the command at all
  return ["exited", `the container did not start: ${engineMessage(error)}`];
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new ContainerInterruptedError("interrupted"));
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(new ContainerInterruptedError("interrupted"));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolvePromise(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Removes every container of this run, running or not (the engine is asked, not our bookkeeping). */
async function removeRun(engine: ContainerRuntimeClient, runId: string): Promise<void> {
  const found = await engine.container.dockerode.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } }).catch(() => []);
  await Promise.all(found.map((c) => engine.container.dockerode.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

/** The last lines a container wrote, secrets redacted and each line capped. */
class LogTail {
  private readonly kept: string[] = [];
  private partial = "";
  constructor(private readonly secrets: readonly string[]) {}

  follow(stream: Readable): void {
    stream.on("data", (chunk: Buffer | string) => this.add(String(chunk)));
    stream.on("error", () => undefined);
  }

  private add(text: string): void {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.push(line);
  }

  private push(line: string): void {
    const clean = line.replace(/\r$/, "");
    if (clean.trim() === "") return;
    this.kept.push(redactSecrets(clean.length > LOG_LINE_CHARS ? `${clean.slice(0, LOG_LINE_CHARS)}…` : clean, this.secrets));
    if (this.kept.length > LOG_LINES) this.kept.shift();
  }

  lines(): string[] {
    return this.partial.trim() === "" ? [...this.kept] : [...this.kept, redactSecrets(this.partial.slice(0, LOG_LINE_CHARS), this.secrets)].slice(-LOG_LINES);
  }
}
