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
  // Podman (4.3) lists every port the image EXPOSEs in HostConfig.PortBindings, as null when it is not published,
  // and testcontainers 11 (inspectContainerUntilPortsExposed) waits until every listed port is bound, for a fixed
  // 10 s that no startup timeout changes. A --container-port other than the image's EXPOSE port then always timed
  // out ("Timed out after 10000ms while waiting for container ports to be bound"). Publishing the image's EXPOSE
  // ports too (on ephemeral host ports) binds every listed port at start, so that wait ends at once, and only the
  // greeting wait below, with --container-timeout, decides.
  const published = [...new Set([target.port, ...image.exposedPorts])];
  let container = new GenericContainer(target.image)
    .withLabels({ [RUN_LABEL]: runId, [HOST_LABEL]: options.hostName })
    .withExposedPorts(...published)
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
    // testcontainers removes a container that failed its wait strategy; one that failed before it (e.g. exited
    // before its ports were bound) is still there: ask it what happened and what it wrote, then sweep.
    const afterwards = await postMortem(engine, runId);
    if (afterwards?.logs) logs.addText(afterwards.logs);
    await removeRun(engine, runId);
    return { ok: false, record: record(...startFailure(error, target, afterwards)) };
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
  /** The TCP ports the image EXPOSEs. */
  readonly exposedPorts: number[];
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
    const exposedPorts = Object.keys(info.Config?.ExposedPorts ?? {}).flatMap((key) => {
      const match = /^(\d+)(?:\/tcp)?$/.exec(key);
      return match ? [Number(match[1])] : [];
    });
    return { id: info.Id ?? null, repoDigest: info.RepoDigests?.[0] ?? null, exposedPorts };
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

/** What a container that failed to start left behind: its state, and its output (testcontainers follows logs only after the ports are bound). */
interface PostMortem {
  readonly running: boolean;
  readonly exitCode: number | null;
  readonly logs: string;
}

async function postMortem(engine: ContainerRuntimeClient, runId: string): Promise<PostMortem | null> {
  const [found] = await engine.container.dockerode.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } }).catch(() => []);
  if (!found) return null;
  const container = engine.container.dockerode.getContainer(found.Id);
  try {
    const info = await container.inspect();
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false, tail: LOG_LINES })) as unknown as Buffer;
    return { running: info.State.Running, exitCode: typeof info.State.ExitCode === "number" ? info.State.ExitCode : null, logs: demultiplex(Buffer.from(raw)) };
  } catch {
    return null;
  }
}

/**
 * The Docker API's log stream for a container without a TTY: frames of an 8-byte header (stream, 0, 0, 0, size as
 * big-endian uint32) and the bytes. Anything that does not parse as frames is taken as plain text.
 */
function demultiplex(raw: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const stream = raw[at];
    const size = raw.readUInt32BE(at + 4);
    if ((stream !== 0 && stream !== 1 && stream !== 2) || raw[at + 1] !== 0 || at + 8 + size > raw.length) return raw.toString("utf8");
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return at === raw.length ? Buffer.concat(parts).toString("utf8") : raw.toString("utf8");
}

function startFailure(error: unknown, target: ContainerTarget, afterwards: PostMortem | null): [ContainerRecord["startup"], string] {
  if (error instanceof ContainerExitedError) {
    return ["exited", `the container exited${error.exitCode === null ? "" : ` (code ${error.exitCode})`} before GET /lmstudio-greeting answered on port ${target.port}`];
  }
  if (error instanceof ContainerNoAnswerError) {
    return ["no-answer", `GET /lmstudio-greeting did not answer on container port ${target.port} within ${target.startupTimeoutMs} ms (is the server bound to 0.0.0.0 inside the container?)`];
  }
  // Failed before the greeting wait (e.g. testcontainers' port-binding wait): the container's state says which.
  if (afterwards && !afterwards.running) {
    return ["exited", `the container exited${afterwards.exitCode === null ? "" : ` (code ${afterwards.exitCode})`} before its ports were published (${engineMessage(error)})`];
  }
  if (afterwards?.running) {
    return ["no-answer", `the engine did not publish container port ${target.port} (${engineMessage(error)})`];
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

  /** Output read after the fact (the container failed before its logs were followed); kept only if none was. */
  addText(text: string): void {
    if (this.kept.length > 0 || this.partial !== "") return;
    this.add(text.endsWith("\n") ? text : `${text}\n`);
  }

  lines(): string[] {
    return this.partial.trim() === "" ? [...this.kept] : [...this.kept, redactSecrets(this.partial.slice(0, LOG_LINE_CHARS), this.secrets)].slice(-LOG_LINES);
  }
}
