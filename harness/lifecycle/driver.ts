/** @module How lmcert loads and unloads models on a host: one interface, one implementation per API. */
import type { SnapshotInstance } from "../../contracts/journal.ts";

export type DriverName = "rest-v1" | "sdk";

export interface LoadResult {
  readonly instanceId: string;
  /** As the host reports it, when it does. */
  readonly loadTimeSeconds: number | null;
}

/** Thrown when the host refuses a load or unload; `status` is the HTTP status where there is one. */
export class DriverError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly body: string | null,
  ) {
    super(message);
    this.name = "DriverError";
  }
}

export interface ModelDriver {
  readonly name: DriverName;
  load(model: string, options: { contextLength?: number | null; identifier?: string }): Promise<LoadResult>;
  unload(instanceId: string): Promise<void>;
  /** The loaded instances, as this driver's API reports them. */
  listLoaded(): Promise<SnapshotInstance[]>;
  close(): Promise<void>;
}
