/** @module Certifies one host: discovery once, checks in order, certificate out, reporters told at each step. */
import type { Dispatcher } from "undici";
import type { Certificate } from "../contracts/certificate.ts";
import type { Standard } from "../contracts/standard.ts";
import { buildCertificate } from "./certificate.ts";
import { beginSession, finishSession } from "./lifecycle/run-session.ts";
import type { MutationSession } from "./lifecycle/session.ts";
import { discover, type Discovery } from "./discovery.ts";
import { fanOutSignal } from "./fan-out-signal.ts";
import { createHostAgent } from "./http/agent.ts";
import { HttpClient } from "./http/client.ts";
import type { ExchangeListener } from "./http/exchange-hook.ts";
import { report, type Reporter } from "./reporters/reporter.ts";
import { carriedPasses } from "./rerun.ts";
import { runChecks } from "./runner.ts";
import { rememberSecret } from "./server-text.ts";
import type { CheckRecord } from "../contracts/certificate.ts";
import { findChromium, type ChromiumChoice } from "./browser/find-chromium.ts";
import type { Check, CheckContext, HostTarget, LocalAccess } from "./types.ts";

export interface CertifyHostOptions {
  readonly host: HostTarget;
  readonly standard: Standard;
  readonly checks: readonly Check[];
  readonly token?: string | undefined;
  readonly allowMutations?: boolean;
  /** Per HTTP request. */
  readonly timeoutMs?: number;
  /** Per check. */
  readonly checkTimeoutMs?: number;
  /** Whole host; one slow host cannot stall a fleet run past this. */
  readonly hostDeadlineMs?: number;
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  readonly reporters?: readonly Reporter[];
  readonly signal?: AbortSignal;
  /** --local: lmcert runs on the server itself. */
  readonly local?: LocalAccess | null;
  readonly probeAddresses?: readonly string[] | null;
  /** Default: look for a system Chromium. */
  readonly chromium?: ChromiumChoice;
  /** The env var the token came from, recorded in the restore journal so `lmcert restore` can find it again. */
  readonly tokenEnv?: string | null;
  /** Where restore journals go (default: the OS temp folder). */
  readonly journalDir?: string;
  readonly lifecycleModel?: string | null;
  readonly pactFile?: string | null;
  /** Receives the report of a tool a check runs (Pact's verifier); see CheckContext.toolOutput. */
  readonly toolOutput?: (text: string) => void;
  /** `--rerun-failed`: the earlier certificate whose passes stand in for the checks this run does not select. */
  readonly rerunOf?: Certificate | null;
  /** Told about every HTTP exchange with the host (`lmcert record`). */
  readonly onExchange?: ExchangeListener;
  /** A fleet run's shared connection pool (harness/http/agent.ts); without it the run makes and ends its own. */
  readonly agent?: Dispatcher;
}

export async function certifyHost(options: CertifyHostOptions): Promise<Certificate> {
  const reporters = options.reporters ?? [];
  // Library callers pass the token here directly; the CLI has registered it already.
  rememberSecret(options.token);
  const startedAt = new Date();
  const stop = fanOutSignal(options.signal);
  const signal = stop.signal;
  // One agent for the run's three clients; constructed here, it loads no parser until the first connection.
  const agent = options.agent ?? createHostAgent({ connectTimeoutMs: options.timeoutMs ?? 5_000 });
  const httpOptions = {
    agent,
    timeoutMs: options.timeoutMs ?? 5_000,
    deadline: options.hostDeadlineMs === undefined ? undefined : Date.now() + options.hostDeadlineMs,
    signal,
    onExchange: options.onExchange,
  };
  const http = new HttpClient({ ...httpOptions, token: options.token });
  const anonymousHttp = new HttpClient(httpOptions);
  // Mutations and their restore must outlive Ctrl-C, so their client ignores the run's abort signal.
  const mutationHttp = new HttpClient({ agent, token: options.token, timeoutMs: options.timeoutMs ?? 5_000, onExchange: options.onExchange });
  let discovered: Promise<Discovery> | undefined;
  let session: Promise<MutationSession> | undefined;
  const done = new Map<string, CheckRecord>();
  const ctx: CheckContext = {
    host: options.host,
    standard: options.standard,
    http,
    anonymousHttp,
    hasToken: Boolean(options.token),
    allowMutations: options.allowMutations ?? false,
    signal,
    local: options.local ?? null,
    probeAddresses: options.probeAddresses ?? null,
    chromium: options.chromium ?? findChromium(),
    lifecycleModel: options.lifecycleModel ?? options.standard.lifecycle.model,
    pactFile: options.pactFile ?? null,
    toolOutput: options.toolOutput,
    discovery: () => (discovered ??= discover(http, options.host.url, { sdkTimeoutMs: options.timeoutMs ?? 5_000 })),
    mutations: () =>
      (session ??= beginSession(options, mutationHttp, () => ctx.discovery())),
    result: (id) => done.get(id),
  };
  try {
    await report(reporters, "onRunStart", {
      host: options.host,
      standardName: options.standard.standard,
      standardVersion: options.standard.version,
      checkIds: options.checks.map((c) => c.id),
    });
    const run = await runChecks({
      checks: options.checks,
      ctx,
      only: options.only ?? [],
      skip: options.skip ?? [],
      checkTimeoutMs: options.checkTimeoutMs ?? 30_000,
      ...(options.rerunOf ? { carryOver: carriedPasses(options.rerunOf) } : {}),
      mutatingCheckTimeoutMs: mutatingCheckTimeoutMs(options),
      onCheckEnd: (record) => {
        done.set(record.id, record);
        return report(reporters, "onCheckEnd", options.host, record);
      },
    });
    const mutations = await finishSession(session, ctx.allowMutations);
    const discovery = discovered ? await discovered.catch(() => null) : null;
    const certificate = buildCertificate({
      host: {
        name: options.host.name,
        url: options.host.url,
        lmstudioVersion: discovery?.version ?? null,
        surfaces: discovery?.present ?? [],
      },
      standard: options.standard,
      checks: run.records,
      selected: run.selected,
      deselected: run.deselected,
      mutationsAllowed: ctx.allowMutations,
      startedAt,
      finishedAt: new Date(),
      mutations,
      rerunOf: options.rerunOf ?? null,
      // No abort listener here (a fleet shares one signal across hosts): aborted by now means interrupted.
      interruptedAt: signal.aborted ? new Date() : null,
    });
    await report(reporters, "onHostEnd", certificate);
    return certificate;
  } finally {
    await Promise.all([http.close(), anonymousHttp.close(), mutationHttp.close()]);
    if (!options.agent) await agent.destroy();
    stop.release();
  }
}

/**
 * A check that changes the host may wait on up to three loads or unloads (e.g. no-duplicate-instances loads twice,
 * then restores), each allowed the standard's lifecycle.loadTimeoutSeconds, plus its ordinary requests. The fixed
 * per-check deadline never cuts a load short: a load abandoned mid-way would land after lmcert moved on.
 */
export function mutatingCheckTimeoutMs(options: Pick<CertifyHostOptions, "standard" | "checkTimeoutMs">): number {
  return (options.checkTimeoutMs ?? 30_000) + 3 * options.standard.lifecycle.loadTimeoutSeconds * 1000;
}

/** `http://10.0.0.102:1234` → `10.0.0.102_1234`: a default host name that is safe as a folder name. */
export function defaultHostName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname.replace(/[[\]]/g, "")}_${parsed.port || (parsed.protocol === "https:" ? "443" : "80")}`;
}
