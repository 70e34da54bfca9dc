/** @module The check contract (DESIGN.md): what a check is, what it gets, what it returns. Types only. */
import type { CheckRecord, CheckStatus, Evidence } from "../contracts/certificate.ts";
import type { Standard } from "../contracts/standard.ts";
import type { Discovery } from "./discovery.ts";
import type { HttpClient } from "./http/client.ts";
import type { MutationSession } from "./lifecycle/session.ts";

export type Concern =
  | "health"
  | "surfaces"
  | "schema"
  | "state"
  | "listing"
  | "cors"
  | "bind"
  | "models"
  | "memory"
  | "lifecycle"
  | "auth"
  | "config"
  | "contract"
  | "inference";

/**
 * A fix, in LM Studio's words. A function when the fix depends on the standard: e.g. every server start command must
 * carry the flags the standard needs, or following the fix turns CORS off or loses the LAN bind (issue 11.1).
 */
export type Remedy = string | ((standard: Standard) => string);

/** What a check's run returns. The runner adds id, title, timing; it never upgrades a status. */
export interface Outcome {
  readonly status: CheckStatus;
  readonly reason: string;
  readonly observed?: Readonly<Record<string, unknown>>;
  readonly evidence?: readonly Evidence[];
  /** Overrides the check's remedy when the fix depends on what was observed (e.g. JIT on vs off). */
  readonly remedy?: Remedy;
}

export interface HostTarget {
  readonly name: string;
  readonly url: string;
  /**
   * The port the server itself listens on, when the URL reaches it through another one (a container's published
   * port). bind.port judges this port, not the URL's.
   */
  readonly servedPort?: number;
}

/** Set with --local: lmcert runs on the server itself and may read its sockets and LM Studio's files. */
export interface LocalAccess {
  /** LM Studio's home folder (default ~/.lmstudio, or --lmstudio-home). */
  readonly lmstudioHome: string;
}

/** Given to every check. `discovery()` is shared and memoised: the host is asked once per run. */
export interface CheckContext {
  readonly host: HostTarget;
  readonly standard: Standard;
  /** Sends the token, if any. */
  readonly http: HttpClient;
  /** Never sends a token: what a browser preflight or an unauthenticated client experiences. */
  readonly anonymousHttp: HttpClient;
  readonly hasToken: boolean;
  readonly allowMutations: boolean;
  readonly signal: AbortSignal;
  readonly local: LocalAccess | null;
  /**
   * Addresses to try when the URL is loopback and off-loopback reachability must be shown. Null means this
   * machine's own non-loopback interface addresses.
   */
  readonly probeAddresses: readonly string[] | null;
  /** The consumer contract `lmcert pact verify` checks, or null (contract.pact-verified is then skipped). */
  readonly pactFile: string | null;
  /**
   * Where a tool a check runs may print its own report as it goes (Pact's verifier, for `lmcert pact verify`), or
   * undefined when nobody shows it. Too long for a certificate: the check keeps a summary in its outcome.
   */
  readonly toolOutput?: ((text: string) => void) | undefined;
  /** The model lifecycle checks load (inventory `lifecycleModel` or --lifecycle-model); the standard's otherwise. */
  readonly lifecycleModel: string | null;
  /** A Chromium for the real-browser CORS check, or null (the check is then skipped with the reason). */
  readonly chromium: { readonly path: string | null; readonly reason: string };
  discovery(): Promise<Discovery>;
  /**
   * The run's mutation session, begun (snapshot + journal) on first use. Only mutating checks and the listing
   * tie-breaker call it, and only with --allow-mutations. Rejects with NoDriverError when the host has no API to
   * load or unload with.
   */
  mutations(): Promise<MutationSession>;
  /** The record of a check that already ran in this run, for checks that compare against another's findings. */
  result(id: string): CheckRecord | undefined;
}

export interface Check {
  /** Stable dotted id, e.g. "listing.matches-standard"; never renamed once released. */
  readonly id: string;
  readonly title: string;
  /** One RFC-2119 sentence, printed in the certificate. */
  readonly must: string;
  readonly concern: Concern;
  /**
   * Counts toward the verdict. A function when the standard or the run decides: e.g. only if the standard lists
   * models, or (for mutating checks) only when the run allows mutations, which the certificate records.
   */
  readonly required: boolean | ((standard: Standard, run: RunConfig) => boolean);
  /** Loads or unloads models; runs only with --allow-mutations. */
  readonly mutates: boolean;
  /** Ids that must have passed first; otherwise this check is skipped with that reason. */
  readonly needs?: readonly string[];
  /** The LM Studio setting or `lms` command that fixes a failure, in LM Studio's own words. */
  readonly remedy: Remedy;
  run(ctx: CheckContext): Promise<Outcome>;
}

export type CheckResult = CheckRecord;

/** What the person running lmcert chose, as far as it changes which checks count. */
export interface RunConfig {
  readonly allowMutations: boolean;
  readonly local: boolean;
}

/** Identity helper: gives check literals their type without a class. */
export function defineCheck(check: Check): Check {
  return check;
}

export function isRequired(check: Check, standard: Standard, run: RunConfig): boolean {
  return typeof check.required === "function" ? check.required(standard, run) : check.required;
}

export function resolveRemedy(remedy: Remedy, standard: Standard): string {
  return typeof remedy === "function" ? remedy(standard) : remedy;
}
