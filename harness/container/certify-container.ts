/**
 * @module Certifies a host that lmcert starts from an image: start, certify like any host, always remove. A
 * container that never answers still gets a certificate, saying why, with its last log lines.
 */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import type { ContainerRecord, ContainerTarget } from "../../contracts/container.ts";
import { buildCertificate, certificateDigest } from "../certificate.ts";
import { certifyHost, type CertifyHostOptions } from "../certify-host.ts";
import { finishSession } from "../lifecycle/run-session.ts";
import { report } from "../reporters/reporter.ts";
import { lmsServerStart } from "../lms-commands.ts";
import { isRequired, type HostTarget } from "../types.ts";
import type { Standard } from "../../contracts/standard.ts";
import { ContainerEngineError } from "./engine.ts";
import { ContainerImageError, startContainerHost } from "./start-container.ts";

export interface CertifyContainerOptions extends Omit<CertifyHostOptions, "host"> {
  readonly name: string;
  readonly container: ContainerTarget;
  /**
   * Fleet runs: no engine or an unavailable image becomes this host's certificate (not certified, with the engine's
   * message) instead of ending the whole run. `certify` lets them end the run with exit 2.
   */
  readonly harnessErrorsAsCertificate?: boolean;
}

/** The certificate's `host.url` for a container that never answered: there is no URL to name. */
export function containerPseudoUrl(image: string): string {
  return `container:${image}`;
}

export async function certifyContainer(options: CertifyContainerOptions): Promise<Certificate> {
  const target =
    options.hostDeadlineMs === undefined ? options.container : { ...options.container, startupTimeoutMs: Math.min(options.container.startupTimeoutMs, options.hostDeadlineMs) };
  let start;
  try {
    start = await startContainerHost(target, { hostName: options.name, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if (!options.harnessErrorsAsCertificate || !(error instanceof ContainerEngineError || error instanceof ContainerImageError)) throw error;
    return failedStartCertificate(options, notStartedRecord(target, error.message));
  }
  if (!start.ok) return failedStartCertificate(options, start.record);
  try {
    const host: HostTarget = { name: options.name, url: start.host.url, servedPort: options.container.port };
    return withContainer(await certifyHost({ ...options, host }), start.host.record);
  } finally {
    await start.host.stop();
  }
}

function notStartedRecord(target: ContainerTarget, message: string): ContainerRecord {
  return {
    image: target.image,
    imageId: null,
    repoDigest: null,
    port: target.port,
    env: Object.keys(target.env).sort(),
    cmd: target.cmd ?? null,
    models: target.models ?? null,
    startup: "not-started",
    detail: message.replace(/^lmcert: /, ""),
    logTail: [],
  };
}

/** Adds the container record to a finished certificate and re-digests it (the digest covers every field). */
function withContainer(certificate: Certificate, record: ContainerRecord): Certificate {
  const { digest: _digest, ...rest } = certificate;
  const body = { ...rest, host: { ...rest.host, container: record } };
  return { ...body, digest: certificateDigest(body) };
}

/**
 * What to do about a container that never answered, with the whole server start command for the standard (issue
 * 11.1): a fix naming only the port would start the server without --bind and --cors.
 */
export function containerStartRemedy(record: ContainerRecord, standard: Standard): string {
  if (record.startup === "not-started") return `lmcert could not start ${record.image}: see the engine's message above, fix it (engine running, image name), then re-run.`;
  const bindNote = standard.bind.address === "0.0.0.0" ? "" : " (inside a container only a server bound to 0.0.0.0 is reachable through the published port)";
  return `Read the container's last log lines above. The image must start LM Studio's server listening on 0.0.0.0 at the port given to --container-port (${record.port} here), e.g. \`${lmsServerStart(standard)}\`${bindNote}, then re-run; a slow start may need a longer --container-timeout.`;
}

/**
 * No host to ask: health.greeting is an error that says what the container did, and every other selected check is
 * skipped because of it (what the runner does when a check's needs fail). Required errors leave it not certified.
 */
async function failedStartCertificate(options: CertifyContainerOptions, record: ContainerRecord): Promise<Certificate> {
  const host: HostTarget = { name: options.name, url: containerPseudoUrl(options.container.image) };
  const reporters = options.reporters ?? [];
  const startedAt = new Date();
  const only = options.only ?? [];
  const skip = options.skip ?? [];
  const run = { allowMutations: options.allowMutations ?? false, local: Boolean(options.local) };
  const logs =
    record.startup === "not-started" ? "" : record.logTail.length > 0 ? `; its last log lines:\n${record.logTail.join("\n")}` : "; it wrote no log lines";
  await report(reporters, "onRunStart", { host, standardName: options.standard.standard, standardVersion: options.standard.version, checkIds: options.checks.map((c) => c.id) });
  const selected: string[] = [];
  const deselected: string[] = [];
  const records: CheckRecord[] = [];
  for (const check of options.checks) {
    const isSelected = (only.length === 0 || only.includes(check.id)) && !skip.includes(check.id);
    (isSelected ? selected : deselected).push(check.id);
    const first = check.id === "health.greeting" && isSelected;
    const status: CheckRecord["status"] = first ? "error" : "skipped";
    const recordOf: CheckRecord = {
      id: check.id,
      title: check.title,
      must: check.must,
      required: isRequired(check, options.standard, run),
      status,
      reason: first
        ? `${record.detail} (image ${record.image})${logs}`
        : isSelected
          ? `the container never answered (${record.startup}), so there was no host to check`
          : "not selected for this run (--only/--skip)",
      observed: first ? { containerStartup: record.startup } : {},
      evidence: [],
      remedy: first ? containerStartRemedy(record, options.standard) : null,
      durationMs: 0,
    };
    records.push(recordOf);
    await report(reporters, "onCheckEnd", host, recordOf);
  }
  const certificate = buildCertificate({
    host: { name: host.name, url: host.url, lmstudioVersion: null, surfaces: [] },
    standard: options.standard,
    checks: records,
    selected,
    deselected,
    mutationsAllowed: run.allowMutations,
    startedAt,
    finishedAt: new Date(),
    // No session was begun: nothing was changed.
    mutations: await finishSession(undefined, run.allowMutations),
  });
  const withRecord = withContainer(certificate, record);
  await report(reporters, "onHostEnd", withRecord);
  return withRecord;
}
