/** @module Container tests: the engine probe (skip reason), the offline image, and what the engine says is left. */
import { getContainerRuntimeClient } from "testcontainers";
import { HOST_LABEL } from "../../harness/container/start-container.ts";
import { containerRuntime } from "../../fixtures/testcontainers/lmstudio-mock-container.ts";

/** Probed once per test file: where there is no engine, the container suites skip with this reason. */
export const engine = await containerRuntime(5_000);

/** Containers (running or not) that lmcert started for the host name `hostName`, as the engine lists them. */
export async function lmcertContainers(hostName: string): Promise<string[]> {
  const client = await getContainerRuntimeClient();
  const found = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${HOST_LABEL}=${hostName}`] } });
  return found.map((c) => `${c.Id.slice(0, 12)} ${c.State}`);
}

/** Polls until `probe` returns true, or fails after the deadline (never a fixed sleep). */
export async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
