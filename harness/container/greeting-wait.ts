/**
 * @module A testcontainers wait strategy: ready when GET /lmstudio-greeting answers 200 through the published port.
 * Unlike `Wait.forHttp` it stops at once on Ctrl-C (no polling left behind to keep the process alive), and it
 * tells a container that exited (with its exit code) from one that never opened its port.
 */
import type { WaitStrategy } from "testcontainers";
import { HttpClient } from "../http/client.ts";

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
      // The project's one HTTP client (undici), tied to Ctrl-C: an interrupted probe ends at once.
      const http = new HttpClient({ timeoutMs: 1_000, signal: options.signal });
      try {
        for (;;) {
          if (options.signal?.aborted) throw new WaitInterruptedError("interrupted");
          const state = (await container.inspect()).State;
          if (!state.Running && state.Status !== "created") throw new ContainerExitedError(typeof state.ExitCode === "number" ? state.ExitCode : null);
          if ((await statusOf(http, url)) === 200) return;
          if (Date.now() > deadline) throw new ContainerNoAnswerError(`GET /lmstudio-greeting did not answer within ${timeoutMs} ms`);
          await pause(POLL_MS, options.signal);
        }
      } finally {
        await http.close();
      }
    },
  };
  return strategy;
}

/** The greeting's HTTP status, or null while nothing answers (refused, reset, timed out). */
async function statusOf(http: HttpClient, url: string): Promise<number | null> {
  try {
    return (await http.send("GET", url)).status;
  } catch {
    return null;
  }
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
