/**
 * @module What the fleet's main thread and its worker threads say to each other (harness/fleet/fleet-threads.ts,
 * harness/fleet/fleet-lane.ts, harness/cli/fleet-thread.ts). Plain data only: messages cross threads by structured clone.
 */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import type { RunPlan } from "../reporters/reporter.ts";
import type { HostTarget } from "../types.ts";
import type { LaneOptions } from "./fleet-lane.ts";
import type { FleetHost } from "./inventory-file.ts";

/**
 * A worker's `workerData`: the main thread's lane settings (fleet-lane.ts), with the checks as ids (functions cannot
 * cross threads; the worker takes them from lmcert's check registry) and every token of the inventory (the worker's
 * redaction must know them all, as the main thread's does). Worker threads never change hosts (allowMutations).
 */
export type ThreadSetup = Omit<LaneOptions, "checks" | "allowMutations"> & {
  readonly checkIds: readonly string[];
  readonly secrets: readonly string[];
};

/** Main → worker. */
export type ToThread =
  /** Certify these hosts one after another (aliases of one server: never two at once). */
  | { readonly type: "chain"; readonly hosts: readonly { readonly index: number; readonly host: FleetHost }[] }
  /** Ctrl-C: abort every host in flight (they finish as interrupted). */
  | { readonly type: "abort"; readonly reason: string }
  /** No more work: close connections and exit. */
  | { readonly type: "end" };

/** Worker → main. */
export type FromThread =
  | { readonly type: "run-start"; readonly plan: RunPlan }
  | { readonly type: "check-end"; readonly host: HostTarget; readonly record: CheckRecord }
  | { readonly type: "done"; readonly index: number; readonly certificate: Certificate; readonly path: string | null }
  /** Every host of a chain is done: the lane has room for another. */
  | { readonly type: "chain-done" }
  /** lmcert itself failed on this host (not the host: that is a certificate); the fleet run stops as a harness error. */
  | { readonly type: "failed"; readonly index: number; readonly error: string };
