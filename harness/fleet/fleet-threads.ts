/**
 * @module Spreads a fleet's hosts over lanes (harness/fleet/fleet-lane.ts): the main thread's alone or, for a big
 * read-only fleet, one in each of a few worker threads. A host's certification is CPU work (parsing, validating,
 * evidence, digest, files) between network waits, and one thread tops out at a few hundred hosts a minute
 * (bench/RESULTS.md). This module hands out chains of hosts, keeps --concurrency across all lanes, forwards Ctrl-C,
 * and tells the reporters what the lanes report. Each lane has its own undici Agent (an Agent cannot cross
 * threads); each host is in exactly one lane, so per-origin connection limits still hold.
 *
 * Worker threads certify only read-only runs of URL hosts: the restore journals, host locks and the second-Ctrl-C
 * report of a mutating run, and the container engine of `container:` hosts, stay in the main thread (run-fleet.ts
 * asks for one lane then).
 */
import { Worker } from "node:worker_threads";
import { LmcertError } from "../errors.ts";
import { packageFile } from "../package-files.ts";
import { report, type Reporter } from "../reporters/reporter.ts";
import type { FleetHostResult } from "./certify-fleet-host.ts";
import { startLane, type LaneOptions } from "./fleet-lane.ts";
import type { FleetHost } from "./inventory-file.ts";
import type { FromThread, ThreadSetup, ToThread } from "./thread-messages.ts";

export interface FleetLanesOptions {
  readonly hosts: readonly FleetHost[];
  /** Host indexes; the hosts of one chain are certified one after another. */
  readonly chains: readonly (readonly number[])[];
  /**
   * Threads that certify: 1 is the main thread alone; more are that many worker threads, and the main thread only
   * hands out hosts, tells the reporters and keeps the results (so its own heap stays small).
   */
  readonly lanes: number;
  /** Hosts in flight across all lanes. */
  readonly concurrency: number;
  /** The main thread's lane; worker threads get the same settings, their checks by id. */
  readonly options: Omit<LaneOptions, "forwardCheckEnd">;
  readonly reporters: readonly Reporter[];
  readonly signal: AbortSignal;
  readonly onHostDone: (index: number, result: FleetHostResult) => void;
}

/**
 * A worker's young generation (V8's nursery), in MB. Certifying allocates fast and keeps little, so V8 grows the
 * nursery to its maximum (~34 MB per thread measured) although a few MB hold what survives; capped, a thread costs
 * ~20 MB less peak RSS (bench/RESULTS.md).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

interface LaneHandle {
  readonly post: (message: ToThread) => void;
  /** Settles when the lane has closed its connections (and, for a thread, exited). */
  readonly closed: Promise<unknown>;
  /** Chains handed to this lane and not finished. */
  inFlight: number;
}

export async function certifyInLanes(options: FleetLanesOptions): Promise<void> {
  let nextChain = 0;
  // No more threads than hosts could keep busy at once.
  const count = Math.max(1, Math.min(options.lanes, options.chains.length, options.concurrency));
  const perLane = Math.max(1, Math.ceil(options.concurrency / count));
  const forwardCheckEnd = options.reporters.some((r) => r.onCheckEnd);

  return new Promise<void>((resolve, reject) => {
    const lanes: LaneHandle[] = [];
    let failure: Error | null = null;
    let ending = false;
    const inFlight = () => lanes.reduce((sum, l) => sum + l.inFlight, 0);
    /** Once no chain is in flight and none will be handed out: close every lane, then settle. */
    const wrapUpIfIdle = () => {
      if (ending || inFlight() > 0 || (failure === null && nextChain < options.chains.length)) return;
      ending = true;
      options.signal.removeEventListener("abort", onAbort);
      for (const lane of lanes) lane.post({ type: "end" });
      void Promise.all(lanes.map((lane) => lane.closed)).then(() => (failure ? reject(failure) : resolve()));
    };
    /**
     * lmcert itself failed: no new chains. Hosts in flight run to their end (they are not interrupted: nobody pressed
     * Ctrl-C, and their certificates must not say so), and the run settles only then, so that a mutating host in the
     * main thread's lane is put back before the error surfaces.
     */
    const fail = (error: Error) => {
      failure ??= error;
      wrapUpIfIdle();
    };
    const handOut = () => {
      while (failure === null && nextChain < options.chains.length && inFlight() < options.concurrency) {
        const lane = lanes.reduce((least, l) => (l.inFlight < least.inFlight ? l : least));
        if (lane.inFlight >= perLane) break;
        const chain = options.chains[nextChain++] ?? [];
        lane.inFlight += 1;
        lane.post({ type: "chain", hosts: chain.map((index) => ({ index, host: options.hosts[index] as FleetHost })) });
      }
      wrapUpIfIdle();
    };
    // A reporter that fails (stderr gone, say) fails the run, as it does when a host is certified in this thread.
    const tell = (told: Promise<void>) => void told.catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
    const onMessage = (lane: LaneHandle, message: FromThread) => {
      switch (message.type) {
        case "run-start":
          tell(report(options.reporters, "onRunStart", message.plan));
          return;
        case "check-end":
          tell(report(options.reporters, "onCheckEnd", message.host, message.record));
          return;
        case "failed":
          lane.inFlight -= 1; // the lane gives up the rest of that chain
          fail(new LmcertError("fleet-host", `lmcert failed while certifying ${options.hosts[message.index]?.name ?? `host ${message.index}`}: ${message.error}`));
          return;
        case "done":
          options.onHostDone(message.index, { certificate: message.certificate, path: message.path });
          tell(report(options.reporters, "onHostEnd", message.certificate));
          return;
        case "chain-done":
          lane.inFlight -= 1;
          handOut();
          return;
      }
    };
    const onAbort = () => {
      const reason = options.signal.reason instanceof Error ? options.signal.reason.message : String(options.signal.reason ?? "interrupted");
      for (const lane of lanes) lane.post({ type: "abort", reason });
    };

    if (count === 1) {
      // The main thread's lane. Its messages are delivered on a later microtask, as a thread's would be.
      const local = startLane({ ...options.options, forwardCheckEnd }, (message) => queueMicrotask(() => onMessage(localHandle, message)));
      const localHandle: LaneHandle = { post: local.receive, closed: local.closed, inFlight: 0 };
      lanes.push(localHandle);
    }
    const { checks, allowMutations, ...shared } = options.options;
    void allowMutations; // worker threads certify read-only runs only (run-fleet.ts, fleetThreads)
    const setup: ThreadSetup = {
      ...shared,
      forwardCheckEnd,
      checkIds: checks.map((check) => check.id),
      secrets: options.hosts.flatMap((host) => (host.token ? [host.token] : [])),
    };
    for (let i = 0; count > 1 && i < count; i += 1) {
      const worker = new Worker(packageFile("bin", "fleet-thread.js"), { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      const handle: LaneHandle = {
        post: (message) => worker.postMessage(message),
        closed: new Promise((done) => worker.once("exit", done)),
        inFlight: 0,
      };
      lanes.push(handle);
      worker.on("message", (message: FromThread) => onMessage(handle, message));
      // A thread that dies takes its chains with it: the run fails (exit 2), after the other lanes' hosts end.
      const died = (why: string, cause?: unknown) => {
        if (handle.inFlight === 0 && ending) return;
        handle.inFlight = 0;
        fail(new LmcertError("fleet-thread", `a fleet worker thread ${why}`, { cause }));
      };
      worker.on("error", (error) => died(`failed: ${error.message}`, error));
      worker.on("exit", (code) => died(`exited (code ${code}) before its hosts were done`));
    }
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });
    handOut();
  });
}
