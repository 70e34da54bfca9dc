/** @module The one reporter interface every output format implements (DESIGN.md "Reporters"). */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import type { HostTarget } from "../types.ts";

type Awaitable<T> = T | Promise<T>;

export interface RunPlan {
  readonly host: HostTarget;
  readonly standardName: string;
  readonly standardVersion: number;
  readonly checkIds: readonly string[];
}

export interface Reporter {
  /** Before the first request to a host. */
  onRunStart?(plan: RunPlan): Awaitable<void>;
  /** As soon as one check has a result, so long runs show progress. */
  onCheckEnd?(host: HostTarget, result: CheckRecord): Awaitable<void>;
  /** When a host's certificate is complete. */
  onHostEnd?(certificate: Certificate): Awaitable<void>;
  /** After every host. */
  onRunEnd?(certificates: readonly Certificate[]): Awaitable<void>;
}

/** Fans one event out to every reporter, in parallel, and waits for all of them. */
export async function report<K extends keyof Reporter>(
  reporters: readonly Reporter[],
  event: K,
  ...args: Parameters<NonNullable<Reporter[K]>>
): Promise<void> {
  await Promise.all(
    reporters.map((r) => (r[event] as ((...a: typeof args) => Awaitable<void>) | undefined)?.apply(r, args)),
  );
}
