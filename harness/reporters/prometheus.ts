/** @module Prometheus textfile for node_exporter's textfile collector (exposition format 0.0.4). */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import { summarizeCertificate } from "../fleet/host-summary.ts";
import { severityCounts, severityOf, type Severity } from "../severity.ts";
import { promLabel } from "./escape.ts";

/**
 * One value per severity (severity.ts), so an alert on `== 0` fires only for a required check that failed: an
 * optional check that did not pass is a warning (0.5), never 0.
 */
const SEVERITY_VALUE: Record<Severity, number> = { ok: 1, failure: 0, warning: 0.5, incomplete: -1, skipped: -1, interrupted: -1 };

export interface PrometheusOptions {
  /** The run was interrupted: its statuses are partial (lmcert_run_interrupted 1). */
  readonly interrupted?: boolean;
}

export function renderPrometheus(certificates: readonly Certificate[], runAt: Date, options: PrometheusOptions = {}): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, rows: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of rows) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${promLabel(v)}"`).join(",");
      lines.push(`${name}${text ? `{${text}}` : ""} ${value}`);
    }
  };
  const hosts = certificates.map((c) => ({ cert: c, summary: summarizeCertificate(c, null) }));
  const checkLabels = (cert: Certificate, c: CheckRecord) => ({ host: cert.host.name, check: c.id, required: String(c.required), severity: severityOf(c) });
  metric("lmcert_certified", "1 if the host is certified against the standard, else 0.", hosts.map(({ cert }) => [{ host: cert.host.name }, cert.verdict === "certified" ? 1 : 0]));
  metric(
    "lmcert_check_status",
    "Per check, by severity: 1 passed, 0 a required check failed, 0.5 warning (an optional check did not pass), -1 not decided, skipped or not run (interrupted). Labels: required, severity (ok, failure, warning, incomplete, skipped, interrupted).",
    hosts.flatMap(({ cert }) => cert.checks.map((c): [Record<string, string>, number] => [checkLabels(cert, c), SEVERITY_VALUE[severityOf(c)]])),
  );
  metric("lmcert_warnings", "Optional checks that did not pass (warnings; they never fail certification).", hosts.map(({ cert }) => [{ host: cert.host.name }, severityCounts(cert.checks).warning]));
  metric("lmcert_models_loaded", "Models with a loaded instance, from the host's authoritative state.", hosts.flatMap(({ cert, summary }) => (summary.modelsLoaded === null ? [] : [[{ host: cert.host.name }, summary.modelsLoaded] as [Record<string, string>, number]])));
  metric("lmcert_models_available", "Downloaded models, where the host states them.", hosts.flatMap(({ cert, summary }) => (summary.modelsAvailable === null ? [] : [[{ host: cert.host.name }, summary.modelsAvailable] as [Record<string, string>, number]])));
  metric("lmcert_certificate_expiry_timestamp_seconds", "When the host's certificate expires (validUntil), Unix seconds.", hosts.map(({ cert }) => [{ host: cert.host.name }, Math.floor(Date.parse(cert.validUntil) / 1000)]));
  metric("lmcert_run_timestamp_seconds", "When this lmcert run finished, Unix seconds.", [[{}, Math.floor(runAt.getTime() / 1000)]]);
  const interrupted = options.interrupted ?? certificates.some((c) => c.interrupted);
  metric("lmcert_run_interrupted", "1 if this run was interrupted (Ctrl-C, SIGTERM): its results are partial, not a regression.", [[{}, interrupted ? 1 : 0]]);
  return `${lines.join("\n")}\n`;
}
