/**
 * @module What the fleet's main thread and its worker threads say to each other (harness/fleet/fleet-threads.ts,
 * harness/fleet/fleet-lane.ts, harness/cli/fleet-thread.ts). Plain data only: messages cross threads by structured clone.
 */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import type { Standard } from "../../contracts/standard.ts";
import type { ChromiumChoice } from "../browser/find-chromium.ts";
import type { RunPlan } from "../reporters/reporter.ts";
import type { HostTarget } from "../types.ts";
import type { FleetHost } from "./inventory-file.ts";

/** A worker's `workerData`: everything a host's certification needs that is the same for every host. */
export interface ThreadSetup {
  readonly standard: Standard;
  /** Ids of the checks to run, in order; the worker takes them from lmcert's check registry. */
  readonly checkIds: readonly string[];
  /** Every token of the inventory: the worker's redaction must know them all, as the main thread's does. */
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
  readonly hostDeadlineMs: number;
  readonly out: string | null;
  readonly signKeyPem: string | null;
  readonly probeAddresses: readonly string[] | null;
  readonly chromium: ChromiumChoice | null;
  readonly connectionsPerOrigin: number;
  /** Send each check's result as it ends (only when a reporter listens for it: each is a message). */
  readonly forwardCheckEnd: boolean;
}

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
  /** lmcert itself failed on this host (not the host: that is a certificate); the fleet run stops as a harness error. */
  | { readonly type: "failed"; readonly index: number; readonly error: string };
