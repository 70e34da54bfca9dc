/** @module Chooses how to load and unload on a host, from the surfaces discovery found. */
import type { Discovery } from "../discovery.ts";
import { LmcertError } from "../errors.ts";
import type { HttpClient } from "../http/client.ts";
import type { ModelDriver } from "./driver.ts";
import { RestV1Driver } from "./rest-v1-driver.ts";
import { SdkDriver } from "./sdk-driver.ts";

/** No API to load or unload with: mutating checks become `skipped`/`inconclusive` with this reason. */
export class NoDriverError extends LmcertError {
  constructor(reason: string) {
    super("LMCERT_NO_DRIVER", reason);
  }
}

export interface DriverChoiceInput {
  readonly discovery: Discovery;
  /** An HTTP client not tied to the run's abort signal: restore must still work after Ctrl-C. */
  readonly http: HttpClient;
  readonly loadTimeoutMs: number;
  /** Deadline per SDK call other than a load. */
  readonly sdkTimeoutMs: number;
}

export async function pickDriver(input: DriverChoiceInput): Promise<ModelDriver> {
  const { discovery } = input;
  if (discovery.surfaces["rest-v1"].state === "present") {
    return new RestV1Driver(input.http, discovery.baseUrl, input.loadTimeoutMs);
  }
  if (discovery.sdk?.state === "present") return new SdkDriver(discovery.baseUrl, input.sdkTimeoutMs, input.loadTimeoutMs, input.http.bearerToken);
  throw new NoDriverError(
    `no load/unload API on this host: /api/v1 is not served (${discovery.surfaces["rest-v1"].reason}) and the SDK websocket did not answer (${discovery.sdk?.reason ?? "not asked"})`,
  );
}
