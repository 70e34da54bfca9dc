/**
 * @module A testcontainers wait strategy: ready when GET /lmstudio-greeting answers 200 through the published port.
 * Unlike `Wait.forHttp` it stops at once on Ctrl-C (no polling left behind to keep the process alive), and it
 * tells a container that exited (with its exit code) from one that never opened its port.
 */
import { get } from "node:http";
import type { WaitStrategy } from "testcontainers";

type Container = Parameters<WaitStrategy["waitUntilReady"]>[0];
type BoundPorts = Parameters<WaitStrategy["waitUntilReady"]>[1];

/** The container stopped before the greeting answered. */
export class ContainerExitedError extends Error {
  constructor(readonly exitCode: number | null) {
    super(`the container exited${exitCode === null ? "" : ` with code ${exitCode}`} before GET /lmstudio-greeting answered`);
  }
}

/** The deadline passed with the container running and the greeting unanswered. */
export class ContainerNoAnswerError extends Error {}

/** Ctrl-C while waiting. */
export class WaitInterruptedError extends Error {}

const POLL_MS = 200;

export function greetingWait(options: { host: string; containerPort: number; signal?: AbortSignal | undefined }): WaitStrategy {
  let timeoutMs = 60_000;
  let timeoutSet = false;
  const strategy: WaitStrategy = {
    withStartupTimeout(ms) {
      timeoutMs = ms;
      timeoutSet = true;
      return strategy;
    },
    isStartupTimeoutSet: () => timeoutSet,
    getStartupTimeout: () => timeoutMs,
    async waitUntilReady(container: Container, boundPorts: BoundPorts) {
      const url = `http://${options.host}:${boundPorts.getBinding(options.containerPort)}/lmstudio-greeting`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (options.signal?.aborted) throw new WaitInterruptedError("interrupted");
        const state = (await container.inspect()).State;
        if (!state.Running && state.Status !== "created") throw new ContainerExitedError(typeof state.ExitCode === "number" ? state.ExitCode : null);
        if ((await statusOf(url)) === 200) return;
        if (Date.now() > deadline) throw new ContainerNoAnswerError(`GET /lmstudio-greeting did not answer within ${timeoutMs} ms`);
        await pause(POLL_MS, options.signal);
      }
    },
  };
  return strategy;
}

function statusOf(url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? null);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(null));
  });
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
