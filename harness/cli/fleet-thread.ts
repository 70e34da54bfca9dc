/**
 * @module A fleet worker thread (started by harness/fleet/fleet-threads.ts through bin/fleet-thread.js): one lane of
 * the fleet (harness/fleet/fleet-lane.ts) talking to the main thread over its port. It lives with the CLI because
 * it takes the checks from lmcert's registry by id, as the commands do.
 */
import { parentPort, workerData } from "node:worker_threads";
import { checks as registry } from "../../suites/index.ts";
import { startLane } from "../fleet/fleet-lane.ts";
import type { ThreadSetup, ToThread } from "../fleet/thread-messages.ts";
import { rememberSecret } from "../server-text.ts";
import type { Check } from "../types.ts";

export async function fleetThreadMain(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("fleetThreadMain runs only in a worker thread");
  const { checkIds, secrets, ...setup } = workerData as ThreadSetup;
  // The main thread's redaction knows every token of the inventory; this thread's must too.
  for (const secret of secrets) rememberSecret(secret);
  const byId = new Map(registry.map((check) => [check.id, check]));
  const checks = checkIds.map((id): Check => {
    const check = byId.get(id);
    if (!check) throw new Error(`unknown check id ${id}`);
    return check;
  });
  const lane = startLane(
    { ...setup, checks, allowMutations: false },
    (message) => port.postMessage(message),
  );
  port.on("message", (message: ToThread) => lane.receive(message));
  await lane.closed;
  port.close();
}
