/** @module Finds the container engine (Docker, or podman's Docker-API socket) through testcontainers. */
import type { ContainerRuntimeClient } from "testcontainers";
import { LmcertError } from "../errors.ts";
import { loadOnDemand } from "../load-on-demand.ts";

export type Testcontainers = typeof import("testcontainers");

/** How to get an engine, in one line: the CLI prints it as is. */
export const GET_AN_ENGINE =
  "install Docker (Docker Desktop on macOS, docker.io on Linux), or run podman's Docker-API socket " +
  "(macOS: `podman machine start`; Linux, as root: `podman system service --time=0 unix:///run/podman/podman.sock &` " +
  "with DOCKER_HOST=unix:///run/podman/podman.sock); see the README, \"Upgrade rehearsal\"";

/** No engine, or no testcontainers package: a harness problem (exit 2), never a verdict. */
export class ContainerEngineError extends LmcertError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("LMCERT_NO_CONTAINER_ENGINE", message, options);
  }
}

export function testcontainers(): Testcontainers {
  try {
    return loadOnDemand<Testcontainers>("testcontainers");
  } catch (cause) {
    throw new ContainerEngineError("lmcert: containers need the testcontainers package, which is not installed (run `npm ci` in the lmcert checkout)", { cause });
  }
}

/** The engine's client, or a ContainerEngineError saying how to get one. Never hangs past `timeoutMs`. */
export async function containerEngine(timeoutMs = 15_000): Promise<ContainerRuntimeClient> {
  const { getContainerRuntimeClient } = testcontainers();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (cause) {
    const why = (cause as Error).message.split("\n")[0];
    throw new ContainerEngineError(`lmcert: no container engine (${why}): ${GET_AN_ENGINE}`, { cause });
  } finally {
    clearTimeout(timer);
  }
}
